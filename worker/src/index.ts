import type { Env } from "./env.js";
import { refuseForeignMcpRequest } from "./oauth/mcp-origin.js";
import { oauthProvider } from "./oauth/provider.js";

export { DeviceObject } from "./device/device-object.js";
export { RegistryObject } from "./registry/registry-object.js";
export { FleetRunObject } from "./fleet-ops/run-object.js";
export { AuditShardObject } from "./audit/audit-shard-object.js";

/** Everything goes through the OAuth provider, which hands non-OAuth routes to the Hono app; /mcp checks Host and Origin first. */
export default {
  fetch: (request, env, ctx) => refuseForeignMcpRequest(request, env.PUBLIC_URL) ?? oauthProvider(env).fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
