import type { LocalWorker } from "../scripts/local-stack.js";
import { ADVERSARIAL_SELECTORS } from "../worker/src/fleet-ops/selector-adversarial.js";
import { round, timeSequential } from "./stats.js";

/** 63 characters (the longest device id) that almost match every adversarial pattern. */
const longId = (i: number) => `${"a".repeat(60)}${String(i).padStart(3, "0")}`;

/**
 * The worst case for `*` in selectors: each adversarial pattern, answered by the fleet's
 * registry (`GET /api/select`) over `devices` devices whose id and tag are 63 characters.
 * Before the matcher stopped using RegExp, the first pattern took 47 s per value.
 */
export async function benchSelector(worker: LocalWorker, devices: number, calls: number) {
  for (let i = 0; i < devices; i++) {
    await worker.provision(longId(i));
    await worker.api(`/api/devices/${longId(i)}/tags`, { method: "PUT", body: JSON.stringify({ tags: ["a".repeat(63)] }) });
  }
  const bySelector = [];
  for (const selector of ADVERSARIAL_SELECTORS) {
    const times = await timeSequential(calls, 2, () => worker.api(`/api/select?selector=${encodeURIComponent(selector)}`));
    bySelector.push({ selector, maxMs: round(Math.max(...times)), meanMs: round(times.reduce((a, b) => a + b, 0) / times.length) });
  }
  return { devices, callsPerSelector: calls, worstMs: Math.max(...bySelector.map((s) => s.maxMs)), bySelector };
}
