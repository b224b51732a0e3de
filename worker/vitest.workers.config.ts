import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.jsonc" }, miniflare: { bindings: { ADMIN_TOKEN: "test-admin-token", MCP_STATE_SECRET: "test-mcp-state-secret-of-at-least-32-bytes" } } })],
  // Serves Client ID Metadata Documents over real HTTP: the tests inside workerd cannot listen.
  test: { include: ["test/**/*.test.ts"], globalSetup: ["../test/support/scratch-tmpdir.ts", "../test/support/metadata-document-server.ts"] },
});
