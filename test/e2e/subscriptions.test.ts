import type { DeviceAlerts } from "@jetson/protocol";
import type { Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as machine from "../../device-bridge/sim/programs/lib/jetson-sim/machine.mjs";
import type { LocalBridge } from "../../scripts/local-stack.js";
import { TestStack } from "../support/stack.js";

const DEVICES = "jetson://devices";
const ALERTS = "jetson://devices/hot-1/alerts";
/** Samples every 250 ms, sent every 500 ms: an alert is seen within a second of the heat. */
const FAST_TELEMETRY = { telemetry: { sampleMs: 250, batchMs: 500 } };

/** A listening 2026-07-28 client: every resource update it hears, in order, and a way to wait for the next one of a URI. */
interface Listener {
  client: Client;
  heard: string[];
  next(uri: string): Promise<void>;
}

async function listener(token: string): Promise<Listener> {
  const client = await stack.mcpModern(token);
  const heard: string[] = [];
  const waiting = new Map<string, Array<() => void>>();
  client.setNotificationHandler("notifications/resources/updated", ({ params }) => {
    heard.push(params.uri);
    for (const resolve of waiting.get(params.uri)?.splice(0) ?? []) resolve();
  });
  const next = (uri: string) =>
    new Promise<void>((resolve) => {
      waiting.set(uri, [...(waiting.get(uri) ?? []), resolve]);
    });
  return { client, heard, next };
}

let stack: TestStack;
let hot: LocalBridge;
let localToken: string;
let otherToken: string;

beforeAll(async () => {
  stack = await TestStack.start();
  hot = await stack.addBridge("hot-1", "agx-orin-jp6", { extraConfig: FAST_TELEMETRY });
  // Cleared as soon as the board is cool (an alert waits a minute by default, so that a swinging reading keeps one open).
  await stack.worker.api("/api/devices/hot-1/alerts/thresholds", { method: "PUT", body: JSON.stringify({ clearAfterSeconds: 0 }) });
  localToken = stack.worker.fleetToken;
  otherToken = await stack.worker.createFleet("elsewhere");
  stack.worker.fleetToken = localToken;
});

afterAll(async () => {
  await stack?.stop();
});

async function activeAlerts(client: Client): Promise<string[]> {
  const { contents } = await client.readResource({ uri: ALERTS });
  const text = contents[0] && "text" in contents[0] ? contents[0].text : "{}";
  return (JSON.parse(text) as DeviceAlerts).active.map((alert) => alert.kind);
}

describe("subscriptions/listen (2026-07-28) against wrangler dev and a simulated Jetson", () => {
  it("brings a listening client the temperature alert a hot board raises, its clearing, and the board going offline; another fleet hears nothing", async () => {
    const mine = await listener(localToken);
    const other = await listener(otherToken);
    const filter = { resourceSubscriptions: [ALERTS, DEVICES] };
    const subscription = await mine.client.listen(filter);
    const otherSubscription = await other.client.listen(filter);
    expect(subscription.honoredFilter).toEqual(filter);

    // An idle board in a hot enclosure: about 92 °C, past the 85 °C the temperature alert is raised at (idle, so it does not throttle).
    const raised = mine.next(ALERTS);
    machine.setConditions(hot.root, { loadPct: 0, heatMC: 40_000 });
    await raised;
    expect(await activeAlerts(mine.client)).toContain("temperature");

    // The enclosure cools: about 53 °C, below the 80 °C the alert clears at.
    const cleared = mine.next(ALERTS);
    machine.setConditions(hot.root, { loadPct: 0, heatMC: 0 });
    await cleared;
    expect(await activeAlerts(mine.client)).toEqual([]);

    const offline = mine.next(DEVICES);
    await hot.stop();
    await offline;
    const devices = await mine.client.readResource({ uri: DEVICES });
    expect(devices.contents[0] && "text" in devices.contents[0] ? devices.contents[0].text : "").toMatch(/"id":"hot-1","fleet":"local","online":false/);

    // The other fleet's stream is open and hears its own fleet: a device it adds is the first thing it hears.
    const own = other.next(DEVICES);
    stack.worker.fleetToken = otherToken;
    await stack.worker.provision("elsewhere-1").finally(() => {
      stack.worker.fleetToken = localToken;
    });
    await own;
    expect(other.heard).toEqual([DEVICES]);

    await Promise.all([subscription.close(), otherSubscription.close()]);
    await Promise.all([mine.client.close(), other.client.close()]);
  });
});
