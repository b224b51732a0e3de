import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["e2e/**/*.test.ts", "conformance/*.test.ts"],
    globalSetup: ["support/scratch-tmpdir.ts"],
    // Each file starts its own wrangler dev and bridges; two cores cannot run several at once well.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
