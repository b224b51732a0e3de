import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { DeviceAttributes, DeviceSummary, Drift, FleetRun, FleetRunPlan } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { DeviceTable, FLEET_PAGE } from "../src/registry/device-table.js";
import { createFleet } from "./device-client.js";
import { rest } from "./rest-call.js";

const DRIFT: Drift[] = [{ aspect: "clocks", wanted: "locked", actual: "unlocked", reason: "changed on the device", since: 1 }];

/** Summaries as a device's object writes them, straight into the fleet's registry. */
async function seed(fleet: string, summaries: readonly DeviceSummary[]): Promise<void> {
  await runInDurableObject(env.REGISTRY.get(env.REGISTRY.idFromName(fleet)), (_object, state) => {
    const table = new DeviceTable(state.storage.sql);
    for (const summary of summaries) table.write(summary);
  });
}

/** Device `i` of `count`: every tenth a canary, every other one online, every third drifting. */
function summary(fleet: string, i: number, capabilities: string[]): DeviceSummary {
  return {
    id: `dev-${String(i).padStart(4, "0")}`,
    fleet,
    online: i % 2 === 0,
    tags: i % 10 === 0 ? ["all", "canary"] : ["all"],
    state: { hostname: `h${i}`, bridgeVersion: "0.1.0", capabilities, board: "NVIDIA Jetson AGX Orin Developer Kit", jetpack: "6.2" },
    ...(i % 3 === 0 && { drift: DRIFT }),
  };
}

const fleetOf = (fleet: string, count: number, capabilities: string[]) => Array.from({ length: count }, (_, i) => summary(fleet, i, capabilities));

describe("fleet-wide selection, plans, runs, desired state and drift", () => {
  const LARGE = "selection-large-summaries";
  // The schema's limit: 1,000 capabilities of 64 characters, about 64 KB a summary and 38 MB for the 600.
  const capabilities = Array.from({ length: 1_000 }, (_, i) => `cap-${i}-`.padEnd(64, "x"));
  const large = fleetOf(LARGE, 600, capabilities);
  let seeded: Promise<string> | undefined;
  const largeFleet = () =>
    (seeded ??= (async () => {
      const token = await createFleet(LARGE);
      await seed(LARGE, large);
      return token;
    })());

  it("answer over 600 devices whose summaries are as large as the schema allows", async () => {
    expect(JSON.stringify(large[0]).length).toBeGreaterThan(64_000);
    const token = await largeFleet();

    const selected = await rest<{ devices: DeviceAttributes[] }>(token, "GET", "/api/select?selector=tag:all");
    expect(selected.status).toBe(200);
    expect(selected.body.devices).toHaveLength(600);
    expect(selected.body.devices[1]).toEqual({ id: "dev-0001", tags: ["all"], board: "agx-orin", jetpack: "6.2", bridge: "0.1.0", online: false });

    const plan = await rest<FleetRunPlan>(token, "POST", "/api/runs/plan", { selector: "tag:all", action: "system.ping", canary: { selector: "tag:canary" } });
    expect(plan.status).toBe(200);
    expect(plan.body.devices).toHaveLength(600);
    expect(plan.body.canaryCount).toBe(60);
    expect(plan.body.devices.slice(0, 60).every((d) => d.canary && d.id.endsWith("0"))).toBe(true);
    expect(plan.body.devices[60]).toEqual({ id: "dev-0001", canary: false, online: false, board: "agx-orin", jetpack: "6.2" });
    expect(plan.body.offline).toHaveLength(300);

    // One canary, which fails (no device object behind these summaries): the run ends without reaching the others.
    const run = await rest<FleetRun>(token, "POST", "/api/runs", { selector: "tag:all", action: "system.ping", canary: { count: 1 } });
    expect(run.status).toBe(201);
    expect(run.body.devices).toHaveLength(600);

    const drift = await rest<{ devices: Array<{ device: string; drift: Drift[] }> }>(token, "GET", "/api/drift");
    expect(drift.status).toBe(200);
    expect(drift.body.devices).toEqual(large.filter((d) => d.drift).map((d) => ({ device: d.id, drift: DRIFT })));
  }, 60_000);

  it("declare the desired state of 600 devices whose summaries are as large as the schema allows", async () => {
    const token = await largeFleet();
    // Each chosen device is told, one object after another (8 at a time).
    const desired = await rest<{ devices: string[] }>(token, "PUT", "/api/desired-state", { selector: "tag:all", state: { clocksLocked: true } });
    expect(desired.status).toBe(200);
    expect(desired.body.devices).toEqual(large.map((d) => d.id));
  }, 180_000);

  it("reach every device of a fleet larger than one answer of the registry, each once, in id order, with the canaries its selector chooses", async () => {
    const FLEET = "selection-many-devices";
    const token = await createFleet(FLEET);
    const fleet = fleetOf(FLEET, FLEET_PAGE.chosen + 345, []);
    await seed(FLEET, fleet);

    const selected = await rest<{ devices: DeviceAttributes[] }>(token, "GET", "/api/select?selector=*");
    expect(selected.body.devices.map((d) => d.id)).toEqual(fleet.map((d) => d.id));

    const plan = await rest<FleetRunPlan>(token, "POST", "/api/runs/plan", { selector: "online:true", action: "system.ping", canary: { selector: "tag:canary" } });
    expect(plan.status).toBe(200);
    const online = fleet.filter((d) => d.online);
    const canaries = online.filter((d) => d.tags?.includes("canary")).map((d) => d.id);
    expect(plan.body.devices.map((d) => d.id)).toEqual([...canaries, ...online.map((d) => d.id).filter((id) => !canaries.includes(id))]);
    expect(plan.body.canaryCount).toBe(canaries.length);

    const drift = await rest<{ devices: Array<{ device: string }> }>(token, "GET", "/api/drift");
    expect(drift.body.devices.map((d) => d.device)).toEqual(fleet.filter((d) => d.drift).map((d) => d.id));

    const noCanary = await rest<{ error: string }>(token, "POST", "/api/runs/plan", { selector: "online:false", action: "system.ping", canary: { selector: "tag:canary" } });
    expect(noCanary).toEqual({ status: 400, body: { error: 'The canary selector "tag:canary" chooses none of the run\'s devices.' } });
  }, 60_000);
});
