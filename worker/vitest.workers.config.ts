import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.jsonc" }, miniflare: { bindings: { ADMIN_TOKEN: "test-admin-token", MCP_STATE_SECRET: "test-mcp-state-secret-of-at-least-32-bytes" } } })],
  // Serves Client ID Metadata Documents over real HTTP: the tests inside workerd cannot listen.
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["../test/support/scratch-tmpdir.ts", "../test/support/metadata-document-server.ts"],
    // Vitest's default is one file fewer than the cores: one file at a time on 2 cores (177 s; 118 s with 2).
    maxWorkers: availableParallelism(),
  },
});
