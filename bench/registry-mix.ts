import { loadavg } from "node:os";
import { DEVICE_PAGE_LIMIT } from "@jetson/protocol";
import { setTimeout as sleep } from "node:timers/promises";
import { startOwnWorker } from "./own-worker.js";
import { POPULATION } from "./registry/population.js";
import { latencies, round } from "./stats.js";

const FIGURES_EVERY_S = 60;
/** Assumed: each device changes something that matters (online, an alert, its power mode, tags) once in 10 minutes. */
const MATTERS_EVERY_S = 600;
const DEVICE_PAGES = 50;
const COMMANDS_PER_SECOND = 20;
/** Assumed: pages of the device list asked for each second by dashboards, REST clients and list_devices together. */
const LIST_PAGES_PER_SECOND = 5;
/** Credential checks reach the registry at most once per token or session per 5 s (worker/src/credential-cache.ts). */
const CACHE_S = 5;

interface Kind {
  /** Calls per second at 10,000 devices. */
  perSecond: number;
  /** Requests one call makes of the registry object. */
  requests: number;
  /** How many distinct tokens, sessions or devices the calls spread over. */
  over: "devices" | number;
  why: string;
}

/**
 * What a fleet of `devices` asks of its one registry object each second, with coalesced summaries,
 * and of the day's audit shard beside it.
 */
export function mixFor(devices: number, listsPerSecond: number): Record<string, Kind> {
  return {
    summary: {
      perSecond: devices / FIGURES_EVERY_S + devices / MATTERS_EVERY_S,
      requests: 1,
      over: "devices",
      why: `figures alone once a minute per device (SUMMARY_FIGURES_EVERY_MS), plus a change that matters every ${MATTERS_EVERY_S / 60} minutes per device`,
    },
    token: { perSecond: POPULATION.tokens / CACHE_S, requests: 1, over: POPULATION.tokens, why: `${POPULATION.tokens} API tokens in constant use, each checked once per ${CACHE_S} s, charged up to 20 cached requests a check` },
    session: { perSecond: POPULATION.sessions / CACHE_S, requests: 1, over: POPULATION.sessions, why: `${POPULATION.sessions} open dashboards, each session checked once per ${CACHE_S} s` },
    lookup: {
      perSecond: COMMANDS_PER_SECOND + DEVICE_PAGES / 5,
      requests: 1,
      over: "devices",
      why: `the device lookup of each command and of each of ${DEVICE_PAGES} open device pages asking for figures every 5 s`,
    },
    audit: {
      perSecond: COMMANDS_PER_SECOND,
      requests: 2,
      over: "devices",
      why: `${COMMANDS_PER_SECOND} commands per second, each audited before it is sent and completed after, in the day's audit shard (not the registry)`,
    },
    list: { perSecond: listsPerSecond, requests: 1, over: 1, why: `${listsPerSecond} pages of ${DEVICE_PAGE_LIMIT.default} devices per second (dashboards, REST lists, list_devices)` },
  };
}

/** Requests in flight from this process at most; past it a request is counted as not sent. */
const MAX_IN_FLIGHT = 512;

interface Step {
  multiplier: number;
  /** The machine's 1-minute load average after the step: other processes share its cores. */
  loadAverage: number;
  offeredPerSecond: number;
  achievedPerSecond: number;
  notSent: number;
  errors: number;
  firstError?: string;
  kinds: Record<string, ReturnType<typeof latencies>>;
}

/** Sends the mix times `multiplier` for `seconds`, open loop (each kind on its own schedule), and waits for every answer. */
async function runStep(url: string, mix: Record<string, Kind>, devices: number, multiplier: number, seconds: number): Promise<Step> {
  const names = Object.keys(mix);
  const sent = Object.fromEntries(names.map((name) => [name, 0]));
  const times: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  const inFlight = new Set<Promise<void>>();
  let notSent = 0;
  let errors = 0;
  let firstError: string | undefined;
  let requests = 0;
  const began = performance.now();
  const send = (name: string, kind: Kind) => {
    const n = Math.floor(Math.random() * (kind.over === "devices" ? devices : kind.over));
    const start = performance.now();
    const call: Promise<void> = fetch(`${url}/call/${name}/${n}`, { method: "POST" })
      .then(async (response) => {
        const text = await response.text();
        if (!response.ok) throw new Error(`${name}: ${response.status} ${text.slice(0, 200)}`);
        times[name]?.push(performance.now() - start);
        requests += kind.requests;
      })
      .catch((error: Error) => {
        errors++;
        firstError ??= error.message;
      })
      .finally(() => inFlight.delete(call));
    inFlight.add(call);
  };
  while (performance.now() - began < seconds * 1000) {
    const elapsed = (performance.now() - began) / 1000;
    for (const [name, kind] of Object.entries(mix)) {
      const due = Math.floor(elapsed * kind.perSecond * multiplier) - (sent[name] ?? 0);
      for (let i = 0; i < due; i++) {
        sent[name] = (sent[name] ?? 0) + 1;
        if (inFlight.size >= MAX_IN_FLIGHT) notSent++;
        else send(name, kind);
      }
    }
    await sleep(5);
  }
  await Promise.all(inFlight);
  const wall = (performance.now() - began) / 1000;
  const offered = Object.values(mix).reduce((sum, kind) => sum + kind.perSecond * kind.requests, 0) * multiplier;
  return {
    multiplier,
    loadAverage: round(loadavg()[0] ?? 0, 1),
    offeredPerSecond: round(offered, 0),
    achievedPerSecond: round(requests / wall, 0),
    notSent,
    errors,
    ...(firstError && { firstError }),
    kinds: Object.fromEntries(Object.entries(times).map(([name, values]) => [name, latencies(values)])),
  };
}

const PAGES_ALONE = 20;
/** Calls the bench Worker makes of the object, as fast as it answers, for the object's own ceiling. */
const SATURATING_CALLS = 5_000;

/** The mix's proportions driven by the co-located bench Worker as fast as the object answers (no HTTP hop per call). */
async function saturate(url: string, mix: Record<string, Kind>, devices: number) {
  const weights = new URLSearchParams(Object.entries(mix).map(([name, kind]): [string, string] => [name, String(kind.perSecond)]));
  const response = await fetch(`${url}/saturate/mix/${SATURATING_CALLS}/${devices}?${weights}`, { method: "POST" });
  if (!response.ok) throw new Error(`saturate: ${response.status} ${await response.text()}`);
  const { calls, seconds } = (await response.json()) as { calls: Record<string, number>; seconds: number };
  const requests = Object.entries(calls).reduce((sum, [name, n]) => sum + n * (mix[name]?.requests ?? 1), 0);
  return { calls, seconds, requestsPerSecond: round(requests / seconds, 0) };
}

async function timePages(url: string, calls: number) {
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    const response = await fetch(`${url}/call/list/0`, { method: "POST" });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`list: ${response.status}`);
    times.push(performance.now() - start);
  }
  return latencies(times);
}

/** A step holds when every request was sent and answered, at 95 % of the offered rate, with p99 under 10 times the first step's. */
function holds(step: Step, first: Step | undefined): boolean {
  const p99 = Math.max(...Object.values(step.kinds).map((k) => k.p99Ms));
  const firstP99 = first ? Math.max(...Object.values(first.kinds).map((k) => k.p99Ms)) : p99;
  return step.notSent === 0 && step.errors === 0 && step.achievedPerSecond >= 0.95 * step.offeredPerSecond && p99 <= 10 * firstP99;
}

/**
 * Drives one fleet's RegistryObject (the real class, in workerd under `wrangler dev`, reached over
 * RPC from a Worker of its own, bench/registry/worker.ts) at the request mix of a 10,000-device
 * fleet, then at twice, four times… that rate until it no longer holds: the ceiling.
 */
export async function benchRegistryMix(dir: string, devices: number, seconds: number, multipliers: readonly number[], listsPerSecond = LIST_PAGES_PER_SECOND) {
  const worker = await startOwnWorker("registry", dir);
  try {
    const url = worker.url;
    const setup = async (what: string, count: number) => {
      for (let from = 0; from < count; from += 1_000) {
        const response = await fetch(`${url}/setup/${what}/${from}/${Math.min(count, from + 1_000)}`, { method: "POST" });
        if (!response.ok) throw new Error(`setup ${what}: ${response.status} ${await response.text()}`);
      }
    };
    await setup("tokens", POPULATION.tokens);
    await setup("sessions", POPULATION.sessions);
    await setup("devices", devices);
    const pages = await timePages(url, PAGES_ALONE);
    const mix = mixFor(devices, listsPerSecond);
    const objectAlone = await saturate(url, mix, devices);
    const steps: Step[] = [];
    for (const multiplier of multipliers) {
      const step = await runStep(url, mix, devices, multiplier, seconds);
      steps.push(step);
      if (!holds(step, steps[0])) break;
    }
    const held = steps.filter((step) => holds(step, steps[0])).at(-1);
    return {
      devices,
      secondsPerStep: seconds,
      [`mix at ${devices} devices, calls per second`]: Object.fromEntries(Object.entries(mix).map(([name, kind]) => [name, { perSecond: round(kind.perSecond, 1), requestsEach: kind.requests, why: kind.why }])),
      [`one page of ${DEVICE_PAGE_LIMIT.default} of the ${devices} devices, ${PAGES_ALONE} in a row, alone`]: pages,
      "the object driven by a Worker beside it, 50 calls in flight, in the mix's proportions": objectAlone,
      steps,
      ceiling: held
        ? { requestsPerSecond: held.achievedPerSecond, multiplier: held.multiplier, note: held === steps.at(-1) ? "the largest step tried still held" : "the next step did not hold" }
        : { requestsPerSecond: 0, multiplier: 0, note: "not even the first step held" },
    };
  } finally {
    await worker.stop();
  }
}
