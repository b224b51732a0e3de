import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.jsonc" }, miniflare: { bindings: { ADMIN_TOKEN: "test-admin-token", MCP_STATE_SECRET: "test-mcp-state-secret-of-at-least-32-bytes" } } })],
  test: { include: ["test/**/*.test.ts"] },
});
