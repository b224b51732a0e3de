import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["e2e/**/*.test.ts", "conformance/*.test.ts"],
    globalSetup: ["support/scratch-tmpdir.ts"],
    // Each file starts its own wrangler dev (without wrangler's build watcher, which restarted the
    // runtime under load: scripts/prebuilt-worker-config.ts) and bridges, on ports and folders of its
    // own, and spends most of its time waiting on them: as many files at once as there are cores.
    maxWorkers: availableParallelism(),
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
