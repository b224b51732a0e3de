import type { Env } from "./env.js";
import { oauthProvider } from "./oauth/provider.js";

export { DeviceObject } from "./device/device-object.js";
export { RegistryObject } from "./registry/registry-object.js";
export { FleetRunObject } from "./fleet-ops/run-object.js";

/** Everything goes through the OAuth provider, which hands non-OAuth routes to the Hono app. */
export default {
  fetch: (request, env, ctx) => oauthProvider(env).fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
