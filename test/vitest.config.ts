import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["e2e/**/*.test.ts", "conformance/*.test.ts"],
    globalSetup: ["support/scratch-tmpdir.ts"],
    // One file at a time: each starts its own wrangler dev, and two at once once made one restart its
    // build (a change seen in the dashboard's watched folders) and fail to bind its port again.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
