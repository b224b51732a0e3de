import type { Client as ModernClient } from "@modelcontextprotocol/client";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestStack } from "../support/stack.js";

// Completions of prompt arguments and resource-template variables, through a 2025-11-25 and a
// 2026-07-28 client: from the fleet (devices, selector terms, actions, runs) and from the
// device itself (power modes, units).

let stack: TestStack;
let legacy: Client;
let modern: ModernClient;

beforeAll(async () => {
  stack = await TestStack.start();
  await stack.addBridge("orin-a", "agx-orin-jp6");
  await stack.addBridge("orin-b", "agx-orin-jp6");
  await stack.worker.api("/api/devices/orin-a/tags", { method: "PUT", body: JSON.stringify({ tags: ["warehouse"] }) });
  [legacy, modern] = await Promise.all([stack.mcp(), stack.mcpModern()]);
});

afterAll(async () => {
  await Promise.all([legacy?.close(), modern?.close()]);
  await stack?.stop();
});

type Ref = { type: "ref/prompt"; name: string } | { type: "ref/resource"; uri: string };

async function both(ref: Ref, name: string, value: string, args?: Record<string, string>): Promise<string[]> {
  const params = { ref, argument: { name, value }, ...(args ? { context: { arguments: args } } : {}) };
  const [a, b] = await Promise.all([legacy.complete(params), modern.complete(params)]);
  expect(b.completion.values, "both revisions complete alike").toEqual(a.completion.values);
  return a.completion.values;
}

describe("completions", () => {
  it("complete device ids for a prompt's device and a resource template's variable", async () => {
    expect(await both({ type: "ref/prompt", name: "diagnose_throttling" }, "device", "orin-")).toEqual(["orin-a", "orin-b"]);
    expect(await both({ type: "ref/resource", uri: "jetson://devices/{device}" }, "device", "orin-b")).toEqual(["orin-b"]);
    expect(await both({ type: "ref/prompt", name: "diagnose_throttling" }, "device", "nope")).toEqual([]);
  });

  it("complete a device's power modes by id and name, and its units, asking the device", async () => {
    const modes = await both({ type: "ref/prompt", name: "change_power_mode" }, "mode", "", { device: "orin-a" });
    expect(modes).toContain("MAXN");
    expect(modes).toContain("0");
    expect(await both({ type: "ref/prompt", name: "change_power_mode" }, "mode", "MAX", { device: "orin-a" })).toEqual(modes.filter((m) => m.startsWith("MAX")));
    const units = await both({ type: "ref/prompt", name: "troubleshoot_service" }, "unit", "nv", { device: "orin-a" });
    expect(units.length).toBeGreaterThan(0);
    expect(units.every((u) => u.startsWith("nv"))).toBe(true);
  });

  it("complete the last term of a selector from the fleet's attributes, and action names", async () => {
    const terms = await both({ type: "ref/prompt", name: "plan_fleet_change" }, "selector", "online:true id:orin-");
    expect(terms).toEqual(["online:true id:orin-a", "online:true id:orin-b"]);
    expect(await both({ type: "ref/prompt", name: "plan_fleet_change" }, "selector", "tag:wa")).toEqual(["tag:warehouse"]);
    const boards = await both({ type: "ref/prompt", name: "plan_fleet_change" }, "selector", "-board:");
    expect(boards.length).toBe(1);
    expect(boards[0]).toMatch(/^-board:[a-z0-9-]+$/);
    expect(await both({ type: "ref/prompt", name: "plan_fleet_change" }, "action", "power.s")).toEqual(["power.set", "power.shutdown"]);
  });

  it("complete run ids", async () => {
    const run = await stack.worker.api<{ id: string }>("/api/runs", { method: "POST", body: JSON.stringify({ selector: "id:orin-b", action: "system.ping" }) });
    expect(await both({ type: "ref/prompt", name: "review_fleet_run" }, "run", run.id.slice(0, 6))).toContain(run.id);
    expect(await both({ type: "ref/resource", uri: "jetson://runs/{run}" }, "run", run.id)).toEqual([run.id]);
  });
});
