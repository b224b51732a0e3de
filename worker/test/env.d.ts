// Types for the test runtime's `env` and `exports` (what `wrangler types` would generate).
type WorkerEnv = import("../src/env.js").Env;

declare namespace Cloudflare {
  interface Env extends WorkerEnv {}
  interface GlobalProps {
    mainModule: typeof import("../src/index.js");
    durableNamespaces: "DeviceObject" | "RegistryObject" | "FleetRunObject";
  }
}
