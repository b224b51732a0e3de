import { defineConfig } from "vitest/config";

// Plain Node tests for code that needs no workerd bindings (the MQTT codec); workerd tests use vitest.workers.config.ts.
export default defineConfig({
  test: { include: ["src/**/*.test.ts"], environment: "node", globalSetup: ["../test/support/scratch-tmpdir.ts"] },
});
