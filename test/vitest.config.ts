import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["e2e/**/*.test.ts", "conformance/*.test.ts"],
    globalSetup: ["support/scratch-tmpdir.ts"],
    // Each file starts its own wrangler dev and bridges, on ports and folders of its own, and spends
    // most of its time waiting on them: as many files at once as there are cores (2: 430 s to 240 s).
    maxWorkers: availableParallelism(),
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
