import type { OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import type { AuditShardObject } from "./audit/audit-shard-object.js";
import type { DeviceObject } from "./device/device-object.js";
import type { FleetRunObject } from "./fleet-ops/run-object.js";
import type { RegistryObject } from "./registry/registry-object.js";

export interface Env {
  DEVICE: DurableObjectNamespace<DeviceObject>;
  REGISTRY: DurableObjectNamespace<RegistryObject>;
  /** One per fleet run, named `<fleet>/<run id>`. */
  FLEET_RUN: DurableObjectNamespace<FleetRunObject>;
  /** One per fleet and UTC day, named `<fleet>:audit:<YYYY-MM-DD>`: that day's audit rows. */
  AUDIT_SHARD: DurableObjectNamespace<AuditShardObject>;
  /** Bridge releases (bundles and their signed manifests), by fleet and version: see releases/release-store.ts. */
  RELEASES: R2Bucket;
  /** The fleet that the admin token operates on. */
  FLEET_ID: string;
  /** The operator's secret: creates fleets (POST /admin/fleets). */
  ADMIN_TOKEN?: string;
  /** Requests per second per API token, and the burst allowed (defaults 20 and 60). */
  TOKEN_RATE_PER_SECOND?: string;
  TOKEN_RATE_BURST?: string;
  /** Commands per second per device, and the burst allowed (defaults 10 and 30). */
  COMMAND_RATE_PER_SECOND?: string;
  COMMAND_RATE_BURST?: string;
  /** How often, in ms, a device's figures alone may refresh its fleet's registry (default 60000; device/summary-publisher.ts). */
  SUMMARY_FIGURES_EVERY_MS?: string;
  /** OAuth clients, grants and tokens (hashed; props encrypted), kept by the OAuth provider. */
  OAUTH_KV: KVNamespace;
  /** Dynamic client registrations per address and minute (oauth/registration-limit.ts); without it, none is limited. */
  REGISTRATION_LIMIT?: RateLimit;
  /** The Worker's public origin, e.g. https://fleet.example.com: OAuth tokens are bound to `${PUBLIC_URL}/mcp`. */
  PUBLIC_URL: string;
  /**
   * Signs the state of an MCP confirmation (2026-07-28 `input_required`) so that it cannot be
   * forged or replayed; at least 32 bytes. Without it, 2026-07-28 clients cannot confirm anything.
   */
  MCP_STATE_SECRET?: string;
  /** Set by the OAuth provider before it calls the Hono app or the MCP handler; absent in Durable Objects. */
  OAUTH_PROVIDER?: OAuthHelpers;
}
