import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "sim/**/*.test.ts"],
    testTimeout: 20_000,
    globalSetup: ["../test/support/scratch-tmpdir.ts"],
    // Vitest runs one file fewer than there are cores; these files mostly wait on the programs they
    // start (stand-ins, sudo, sshd), so one more than the cores keeps them busy (2 cores: 334 s to 155 s).
    maxWorkers: availableParallelism() + 1,
  },
});
