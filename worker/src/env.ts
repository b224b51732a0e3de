import type { DeviceObject } from "./device/device-object.js";
import type { RegistryObject } from "./registry/registry-object.js";

export interface Env {
  DEVICE: DurableObjectNamespace<DeviceObject>;
  REGISTRY: DurableObjectNamespace<RegistryObject>;
  /** The fleet that the admin token operates on. */
  FLEET_ID: string;
  /** Bearer token for the REST API and MCP (a secret). */
  ADMIN_TOKEN?: string;
}
