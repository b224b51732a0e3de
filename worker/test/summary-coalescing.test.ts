import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { DeviceSummary, TimedSample } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { hashSecret } from "../src/credentials.js";
import { LIVE_DEVICE_HEADER, LIVE_SESSION_HEADER } from "../src/dashboard/live-channel.js";
import type { FleetDevice, LiveMessage } from "../src/dashboard/live-messages.js";
import { newSessionValue, SESSION_COOKIE } from "../src/dashboard/session-cookie.js";
import { FIGURES_EVERY_MS } from "../src/device/summary-publisher.js";
import { ADMIN, connectedDevice, DeviceClient, provision } from "./device-client.js";
import { withControlledClock } from "./frozen-clock.js";

const DAY = 86_400_000;
const stub = (device: string) => env.DEVICE.get(env.DEVICE.idFromName(`local/${device}`));
const registry = () => env.REGISTRY.get(env.REGISTRY.idFromName("local"));

/** One busy core and the hottest sensor at `tempC` (the temperature alert is raised at 85 °C). */
const sample = (t: number, tempC: number): TimedSample => ({ t, tempsC: { cpu: tempC }, cpus: [{ loadPct: 10, freqMHz: 1500 }], totalPowerMW: 5000 });

async function online(device: string): Promise<DeviceClient> {
  const client = await connectedDevice(device);
  await client.subscribeCommands(device);
  return client;
}

async function device(id: string): Promise<DeviceSummary> {
  const response = await exports.default.fetch(`http://w/api/devices/${id}`, { headers: ADMIN });
  expect(response.status).toBe(200);
  return (await response.json()) as DeviceSummary;
}

let nextMessageId = 100;
async function publish(client: DeviceClient, device: string, samples: TimedSample[]): Promise<void> {
  const messageId = nextMessageId++;
  client.publishJson(`jetson/${device}/telemetry`, { samples }, messageId);
  expect(await client.next("puback")).toMatchObject({ messageId, reasonCode: 0 });
}

/**
 * Every write of the device's summary into the fleet's registry, as a dashboard watching the
 * device receives it (the registry pushes each upsert to its live sockets, in order).
 */
async function registryWrites(device: string): Promise<{ next: () => Promise<FleetDevice> }> {
  const hash = `coalescing-${device}`;
  await registry().createSession(hash, { tokenId: "watcher", scopes: ["read"], expiresAt: Date.now() + DAY });
  const response = await registry().fetch("http://registry/", { headers: { Upgrade: "websocket", [LIVE_SESSION_HEADER]: hash, [LIVE_DEVICE_HEADER]: device } });
  const ws = response.webSocket;
  if (!ws) throw new Error(`no WebSocket: ${response.status}`);
  ws.accept();
  const writes: FleetDevice[] = [];
  let wake = () => {};
  ws.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as LiveMessage;
    if (message.type === "upsert") writes.push(message.device);
    wake();
  });
  return {
    next: async () => {
      for (;;) {
        const write = writes.shift();
        if (write) return write;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

/** A device online whose first figures the registry has (they go at once): from here on figures alone are held back. */
async function reporting(device: string) {
  const client = await online(device);
  const writes = await registryWrites(device);
  await publish(client, device, [sample(Date.now(), 55)]);
  expect((await writes.next()).latest).toMatchObject({ hottestC: 55 });
  return { client, writes, sentAt: Date.now() };
}

describe("summary updates to the fleet's registry", () => {
  it("sends a device's first figures at once, so that the fleet list has some to show", () =>
    withControlledClock(async (advance) => {
      const client = await online("co-first");
      const writes = await registryWrites("co-first");
      advance(5_000);
      const t = Date.now();
      await publish(client, "co-first", [sample(t, 58)]);

      expect((await writes.next()).latest).toMatchObject({ t, hottestC: 58 });
    }));

  it("holds a burst of figure-only changes to one write within the interval, which carries the last value", () =>
    withControlledClock(async (advance) => {
      const { client, writes, sentAt } = await reporting("co-burst");
      let last = 0;
      for (let i = 1; i <= 6; i++) {
        advance(5_000);
        last = Date.now();
        await publish(client, "co-burst", [sample(last, 50 + i)]);
      }
      // The device's own answer (a device's page, get_device) has them already.
      expect((await device("co-burst")).latest).toMatchObject({ t: last, hottestC: 56 });
      // The held-back figures are a duty of the object's alarm, due the interval after the last write.
      const due = await runInDurableObject(stub("co-burst"), (_instance, ctx) =>
        ctx.storage.sql.exec<{ due: number }>("SELECT due FROM alarm_duties WHERE name = 'publish'").toArray(),
      );
      expect(due).toEqual([{ due: sentAt + FIGURES_EVERY_MS }]);
      advance(sentAt + FIGURES_EVERY_MS - Date.now());
      await runDurableObjectAlarm(stub("co-burst"));

      expect((await writes.next()).latest).toMatchObject({ t: last, hottestC: 56 });
      // The next write is the device leaving: nothing else was written between them.
      client.ws.close();
      expect(await writes.next()).toMatchObject({ online: false });
    }));

  it("sends an alert raised by telemetry at once, with the figures held back before it", () =>
    withControlledClock(async (advance) => {
      const { client, writes } = await reporting("co-alert");
      advance(5_000);
      await publish(client, "co-alert", [sample(Date.now(), 60)]);
      advance(5_000);
      const hot = Date.now();
      await publish(client, "co-alert", [sample(hot, 90)]);

      const write = await writes.next();
      expect(write.alerts?.map((alert) => alert.kind)).toEqual(["temperature"]);
      expect(write.latest).toMatchObject({ t: hot, hottestC: 90 });
    }));

  it("sends going offline at once, with the figures held back before it", () =>
    withControlledClock(async (advance) => {
      const { client, writes } = await reporting("co-offline");
      advance(5_000);
      const t = Date.now();
      await publish(client, "co-offline", [sample(t, 60)]);
      client.ws.close();

      expect(await writes.next()).toMatchObject({ online: false, latest: { t, hottestC: 60 } });
    }));

  it("writes nothing for a state a reconnecting device reports again, and a changed state at once", async () => {
    const secret = await provision("co-again");
    const connect = async () => {
      const client = await DeviceClient.open("/tunnel/local/co-again");
      expect(await client.connect("co-again", secret)).toMatchObject({ reasonCode: 0 });
      await client.subscribeCommands("co-again");
      return client;
    };
    const report = async (client: DeviceClient, bridgeVersion: string) => {
      const messageId = nextMessageId++;
      client.publishJson("jetson/co-again/state", { hostname: "co-again", board: "NVIDIA Jetson Orin Nano", jetpack: "6.2", bridgeVersion, capabilities: [] }, messageId);
      expect(await client.next("puback")).toMatchObject({ messageId, reasonCode: 0 });
    };
    const first = await connect();
    const writes = await registryWrites("co-again");
    await report(first, "1.0.0");
    expect(await writes.next()).toMatchObject({ online: true, state: { bridgeVersion: "1.0.0" } });
    first.send({ type: "disconnect" });
    await first.whenClosed();
    expect(await writes.next()).toMatchObject({ online: false });

    // A bridge reports its state on every connection: the same state again is no change for the registry.
    const second = await connect();
    expect(await writes.next()).toMatchObject({ online: true, state: { bridgeVersion: "1.0.0" } });
    await report(second, "1.0.0");
    await report(second, "1.1.0");
    expect(await writes.next()).toMatchObject({ online: true, state: { bridgeVersion: "1.1.0" } });
  });

  it("acknowledges a device's connection and state while the registry fails, and sends the summary once it answers", async () => {
    const secret = await provision("co-busy");
    // The fleet's one registry refusing, as an overloaded Durable Object does when a whole fleet reconnects after a deploy.
    const restore = await runInDurableObject(registry(), (instance) => {
      const prototype = Object.getPrototypeOf(instance) as typeof instance;
      const upsert = prototype.upsert;
      prototype.upsert = async () => {
        throw new Error("Durable Object is overloaded. Too many requests queued.");
      };
      return () => {
        prototype.upsert = upsert;
      };
    });
    let restored = false;
    try {
      const client = await DeviceClient.open("/tunnel/local/co-busy");
      expect(await client.connect("co-busy", secret)).toMatchObject({ reasonCode: 0 });
      await client.subscribeCommands("co-busy");
      const messageId = nextMessageId++;
      client.publishJson("jetson/co-busy/state", { hostname: "co-busy", board: "NVIDIA Jetson Orin Nano", jetpack: "6.2", bridgeVersion: "2.0.0", capabilities: [] }, messageId);
      expect(await client.next("puback")).toMatchObject({ messageId, reasonCode: 0 });
      expect(await device("co-busy")).toMatchObject({ online: true, state: { bridgeVersion: "2.0.0" } });

      await runInDurableObject(registry(), () => restore());
      restored = true;
      const writes = await registryWrites("co-busy");
      expect(await runDurableObjectAlarm(stub("co-busy"))).toBe(true);
      expect(await writes.next()).toMatchObject({ online: true, state: { bridgeVersion: "2.0.0" } });
    } finally {
      if (!restored) await runInDurableObject(registry(), () => restore());
    }
  });

  it("gives a device's page the figures the registry holds back, from the device itself", () =>
    withControlledClock(async (advance) => {
      const { client } = await reporting("co-page");
      const cookie = newSessionValue("local");
      await registry().createSession(await hashSecret(cookie), { tokenId: "viewer", scopes: ["read"], expiresAt: Date.now() + DAY });
      advance(5_000);
      const t = Date.now();
      await publish(client, "co-page", [sample(t, 61)]);

      const listed = await exports.default.fetch("http://w/api/devices", { headers: ADMIN });
      expect(((await listed.json()) as { devices: DeviceSummary[] }).devices.find((d) => d.id === "co-page")?.latest).toMatchObject({ hottestC: 55 });
      const response = await exports.default.fetch(`${new URL(env.PUBLIC_URL).origin}/dashboard/api/devices/co-page/summary`, {
        headers: { Cookie: `${SESSION_COOKIE}=${cookie}` },
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id: "co-page", online: true, latest: { t, hottestC: 61 } });
    }));
});
