import { catalogue, DEVICE_PAGE_LIMIT, type DeviceSummary } from "@jetson/protocol";
import { AuditShardObject } from "../../worker/src/audit/audit-shard-object.js";
import { dayOf, shardName } from "../../worker/src/audit/audit-days.js";
import { RegistryObject } from "../../worker/src/registry/registry-object.js";
import { POPULATION } from "./population.js";

export { AuditShardObject, RegistryObject };

interface Env {
  REGISTRY: DurableObjectNamespace<RegistryObject>;
  AUDIT_SHARD: DurableObjectNamespace<AuditShardObject>;
}

type Registry = DurableObjectStub<RegistryObject>;

/** The fleet whose one registry object the mix drives. */
const FLEET = "mix";
/** The most requests the Worker's credential cache answers between two checks of a token or session (credential-cache.ts). */
const SERVED_BETWEEN_CHECKS = 20;
const CAPABILITIES = catalogue.map((action) => action.name);
const BOARDS = ["NVIDIA Jetson AGX Orin Developer Kit", "NVIDIA Jetson Orin NX 16GB", "NVIDIA Jetson Orin Nano Super Developer Kit"];

const deviceId = (i: number) => `jetson-${String(i).padStart(6, "0")}`;
const tokenHash = (i: number) => `mix-token-${i}`;
const sessionHash = (i: number) => `mix-session-${i}`;

/** A busy AGX Orin's summary as its object sends it: state with every capability, two tags, the telemetry brief. */
function summary(i: number, now: number): DeviceSummary {
  return {
    id: deviceId(i),
    fleet: FLEET,
    online: true,
    connectedSince: now - 3_600_000,
    lastSeen: now,
    state: {
      hostname: deviceId(i),
      board: BOARDS[i % BOARDS.length],
      soc: "tegra234",
      l4t: "36.4.3",
      jetpack: "6.2",
      bridgeVersion: "0.9.0",
      powerMode: { id: 2, name: "MODE_30W" },
      capabilities: CAPABILITIES,
    },
    alerts: [],
    latest: { t: now, hottestC: 50 + (now % 20), cpuLoadPct: now % 100, gpuLoadPct: (now / 7) % 100, ramUsedPct: 29, powerMW: 8_726, diskUsedPct: 37 },
    tags: [`site-${i % 20}`, `line-${i % 7}`],
  };
}

/** One request of each kind, as the production Worker or a device's object makes it of the fleet's registry. */
const CALLS: Record<string, (registry: Registry, i: number, now: number, env: Env) => Promise<unknown>> = {
  summary: (registry, i, now) => registry.upsert(summary(i, now)),
  token: (registry, i) => registry.checkToken(tokenHash(i), SERVED_BETWEEN_CHECKS),
  session: (registry, i) => registry.checkSession(sessionHash(i), SERVED_BETWEEN_CHECKS),
  // Every device-scoped request looks its device up first (Fleet.mustExist).
  lookup: (registry, i) => registry.has(deviceId(i)),
  // A command's audit row: written before it is sent, completed with its outcome, in the day's audit shard (not the registry).
  audit: async (_registry, i, now, env) => {
    const day = dayOf(now);
    const shard = env.AUDIT_SHARD.get(env.AUDIT_SHARD.idFromName(shardName(FLEET, day)));
    const id = await shard.append(FLEET, day, { at: now, caller: `token:tok_${i % 50}`, device: deviceId(i), action: "system.ping", args: {}, commandId: `cmd_${now.toString(36)}_${i}`, outcome: "pending", durationMs: 0 });
    await shard.complete(id, { outcome: "succeeded", durationMs: 12 });
  },
  // A page of the fleet's list as the REST API, list_devices and the dashboard ask for it.
  list: (registry) => registry.list({ filter: {}, limit: DEVICE_PAGE_LIMIT.default }),
};

/** Tokens (first: the fleet's tables come with them), dashboard sessions and devices the mix then refers to by number. */
const SETUP: Record<string, (registry: Registry, i: number, now: number) => Promise<unknown>> = {
  tokens: (registry, i) => registry.createToken(`tok_mix_${i}`, `mix ${i}`, tokenHash(i), ["read", "operate"]),
  sessions: (registry, i, now) => registry.createSession(sessionHash(i), { tokenId: `tok_mix_${i}`, scopes: ["read"], expiresAt: now + 86_400_000 }),
  devices: (registry, i, now) => registry.upsert(summary(i, now)),
};

/** Calls in flight at once when the Worker drives the object as fast as it answers. */
const SATURATING_CONCURRENCY = 50;

/**
 * Makes `calls` calls, SATURATING_CONCURRENCY at a time, each kind in proportion to its weight, and says
 * how long they took: the object's own ceiling, without the HTTP hop from the bench process per call.
 */
/** How many distinct tokens, sessions or devices each kind's calls spread over. */
const SPREAD: Record<string, (devices: number) => number> = {
  summary: (devices) => devices,
  token: () => POPULATION.tokens,
  session: () => POPULATION.sessions,
  lookup: (devices) => devices,
  audit: (devices) => devices,
  list: () => 1,
};

async function saturate(env: Env, registry: Registry, weights: Record<string, number>, calls: number, devices: number): Promise<{ calls: Record<string, number>; seconds: number }> {
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  const order = Object.entries(weights).flatMap(([kind, weight]) => Array.from({ length: Math.max(1, Math.round((weight / total) * 100)) }, () => kind));
  const made: Record<string, number> = {};
  let next = 0;
  const began = Date.now();
  const lane = async () => {
    while (next < calls) {
      const i = next++;
      const kind = order[i % order.length] ?? "";
      await CALLS[kind]?.(registry, i % (SPREAD[kind]?.(devices) ?? 1), Date.now(), env);
      made[kind] = (made[kind] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: SATURATING_CONCURRENCY }, lane));
  return { calls: made, seconds: (Date.now() - began) / 1000 };
}

export default {
  /** `POST /setup/<tokens|sessions|devices>/<from>/<to>`, then `POST /call/<kind>/<n>` or `POST /saturate/mix/<calls>/<devices>?<kind>=<weight>…`. */
  async fetch(request: Request, env: Env): Promise<Response> {
    const [, verb, kind = "", a = "0", b = "0"] = new URL(request.url).pathname.split("/");
    const registry = env.REGISTRY.get(env.REGISTRY.idFromName(FLEET));
    const now = Date.now();
    if (verb === "setup" && SETUP[kind]) {
      for (let i = Number(a); i < Number(b); i++) await SETUP[kind](registry, i, now);
      return new Response(null, { status: 204 });
    }
    if (verb === "saturate") {
      const weights = Object.fromEntries([...new URL(request.url).searchParams].filter(([name]) => CALLS[name]).map(([name, weight]) => [name, Number(weight)]));
      return Response.json(await saturate(env, registry, weights, Number(a), Number(b)));
    }
    const call = verb === "call" ? CALLS[kind] : undefined;
    if (!call) return new Response(`unknown request ${verb}/${kind}`, { status: 404 });
    await call(registry, Number(a), now, env);
    return new Response(null, { status: 204 });
  },
};
