import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["src/**/*.test.ts", "sim/**/*.test.ts"], testTimeout: 20_000, globalSetup: ["../test/support/scratch-tmpdir.ts"] },
});
