import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { DeviceAlerts, DeviceSummary, TimedSample } from "@jetson/protocol";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { Client as LegacyClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as LegacyTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { registryStub } from "../src/fleet.js";
import { LISTEN_PATH, LISTEN_TOKEN_HEADER, MAX_LISTENERS_PER_FLEET, MAX_LISTENERS_PER_TOKEN } from "../src/registry/listen-channel.js";
import { ADMIN, createFleet, DeviceClient, provision } from "./device-client.js";

const MODERN = "2026-07-28";
const DEVICES = "jetson://devices";
const device = (id: string) => `${DEVICES}/${id}`;
const alertsOf = (id: string) => `${DEVICES}/${id}/alerts`;

/**
 * fetch to the Worker in this isolate. A client stops listening by aborting its request; over a
 * network that closes the connection, which cancels the response. Here the abort is passed on as such.
 */
async function viaWorker(url: string | URL, init?: RequestInit): Promise<Response> {
  const response = await exports.default.fetch(new Request(url, init));
  if (!response.body || !init?.signal) return response;
  return new Response(response.body.pipeThrough(new TransformStream(), { signal: init.signal }), response);
}

/** A 2026-07-28 client of the SDK, talking to the Worker in this isolate, with every resource update it hears. */
async function modernClient(token: string): Promise<{ client: Client; updates: string[]; updated: (uri: string) => Promise<void> }> {
  const client = new Client({ name: "subscriptions-test", version: "1.0.0" }, { versionNegotiation: { mode: { pin: MODERN } } });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${env.PUBLIC_URL}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } }, fetch: viaWorker }),
  );
  const updates: string[] = [];
  const waiting = new Map<string, () => void>();
  client.setNotificationHandler("notifications/resources/updated", (notification) => {
    updates.push(notification.params.uri);
    waiting.get(notification.params.uri)?.();
  });
  const updated = (uri: string) => new Promise<void>((resolve) => waiting.set(uri, resolve));
  return { client, updates, updated };
}

/** A raw link to a fleet registry's listen channel, as the Worker opens it for `token`, with each frame's URIs awaitable in order. */
async function link(fleet: string, token = "tok_test"): Promise<{ ws: WebSocket; next: () => Promise<string[]>; closed: Promise<number> }> {
  const response = await registryStub(env, fleet).fetch(`https://registry${LISTEN_PATH}`, { headers: { Upgrade: "websocket", [LISTEN_TOKEN_HEADER]: token } });
  const ws = response.webSocket;
  if (!ws) throw new Error(`no link: ${response.status}`);
  ws.accept();
  const frames: string[][] = [];
  const waiters: Array<(uris: string[]) => void> = [];
  ws.addEventListener("message", (event) => {
    const { events } = JSON.parse(String(event.data)) as { events: Array<{ uri?: string; kind: string }> };
    const uris = events.map((e) => e.uri ?? e.kind);
    const waiter = waiters.shift();
    if (waiter) waiter(uris);
    else frames.push(uris);
  });
  const closed = new Promise<number>((resolve) => ws.addEventListener("close", (event) => resolve(event.code)));
  const next = () => {
    const frame = frames.shift();
    return frame ? Promise.resolve(frame) : new Promise<string[]>((resolve) => waiters.push(resolve));
  };
  return { ws, next, closed };
}

const openLinks = (fleet: string) =>
  runInDurableObject(registryStub(env, fleet), (_object, state) => state.getWebSockets("listen").length);

function summary(fleet: string, id: string, extra: Partial<DeviceSummary> = {}): DeviceSummary {
  return { id, fleet, online: true, connectedSince: 1_000, lastSeen: 1_000, latest: { t: 1_000, hottestC: 40 }, ...extra };
}

describe("the fleet registry's listen channel", () => {
  it("announces each change on the resources that show it, and nothing for a new telemetry sample alone", async () => {
    await createFleet("subs-changes");
    const registry = registryStub(env, "subs-changes");
    const { next } = await link("subs-changes");
    const hot = { kind: "temperature" as const, since: 2_000, value: 90, message: "Hottest sensor at 90 °C" };

    await registry.upsert(summary("subs-changes", "d1"));
    expect(await next()).toEqual([DEVICES, device("d1"), alertsOf("d1")]);
    // Telemetry alone, then an alert: the alert is the next thing heard.
    await registry.upsert(summary("subs-changes", "d1", { lastSeen: 2_000, latest: { t: 2_000, hottestC: 90 } }));
    await registry.upsert(summary("subs-changes", "d1", { lastSeen: 2_000, alerts: [hot] }));
    expect(await next()).toEqual([DEVICES, device("d1"), alertsOf("d1")]);
    // The same alert with a fresher value is the same alert.
    await registry.upsert(summary("subs-changes", "d1", { lastSeen: 3_000, alerts: [{ ...hot, value: 93, message: "Hottest sensor at 93 °C" }] }));
    await registry.upsert(summary("subs-changes", "d1", { lastSeen: 4_000 }));
    expect(await next()).toEqual([DEVICES, device("d1"), alertsOf("d1")]);
    await registry.upsert(summary("subs-changes", "d1", { tags: ["lab"] }));
    expect(await next()).toEqual([device("d1")]);
    await registry.upsert(summary("subs-changes", "d1", { tags: ["lab"], online: false }));
    expect(await next()).toEqual([DEVICES, device("d1")]);
    await registry.remove("d1");
    expect(await next()).toEqual([DEVICES, device("d1"), alertsOf("d1")]);
  });

  it("tells each fleet of its own devices only", async () => {
    await Promise.all([createFleet("subs-a"), createFleet("subs-b")]);
    const [a, b] = await Promise.all([link("subs-a"), link("subs-b")]);
    await registryStub(env, "subs-a").upsert(summary("subs-a", "only-a"));
    await registryStub(env, "subs-b").upsert(summary("subs-b", "only-b"));
    expect(await b.next()).toEqual([DEVICES, device("only-b"), alertsOf("only-b")]);
    expect(await a.next()).toEqual([DEVICES, device("only-a"), alertsOf("only-a")]);
  });

  it("passes a change a Worker publishes to every listener of the fleet, and closes only a link that sends something else", async () => {
    await createFleet("subs-publish");
    const [one, two] = await Promise.all([link("subs-publish"), link("subs-publish")]);
    one.ws.send(JSON.stringify({ events: [{ kind: "resources_list_changed" }] }));
    expect(await two.next()).toEqual(["resources_list_changed"]);
    expect(await one.next()).toEqual(["resources_list_changed"]);
    one.ws.send("subscribe me to everything");
    expect(await one.closed).toBe(1003);
    await registryStub(env, "subs-publish").upsert(summary("subs-publish", "still"));
    expect(await two.next()).toEqual([DEVICES, device("still"), alertsOf("still")]);
  });

  it(`holds at most ${MAX_LISTENERS_PER_FLEET} listeners per fleet, and a listen request past them is refused in-band`, async () => {
    const token = await createFleet("subs-cap");
    // Each under a token of its own: no token reaches its own limit.
    const links = await Promise.all(Array.from({ length: MAX_LISTENERS_PER_FLEET }, (_, i) => link("subs-cap", `tok_${i}`)));
    const refused = await registryStub(env, "subs-cap").fetch(`https://registry${LISTEN_PATH}`, { headers: { Upgrade: "websocket", [LISTEN_TOKEN_HEADER]: "tok_test" } });
    expect(refused.status).toBe(429);
    const { client } = await modernClient(token);
    await expect(client.listen({ resourceSubscriptions: [DEVICES] })).rejects.toThrow(`Subscription limit reached: this fleet has ${MAX_LISTENERS_PER_FLEET} listen streams open`);

    links[0]?.ws.close(1000, "done");
    await expect.poll(() => openLinks("subs-cap")).toBe(MAX_LISTENERS_PER_FLEET - 1);
    const subscription = await client.listen({ resourceSubscriptions: [DEVICES] });
    expect(subscription.honoredFilter).toEqual({ resourceSubscriptions: [DEVICES] });
    await subscription.close();
    await client.close();
    for (const open of links) open.ws.close(1000, "done");
  });
});

describe("listen streams per token", () => {
  it(`holds at most ${MAX_LISTENERS_PER_TOKEN} per token, so one read-only token cannot take the fleet's, and the refusal says so`, async () => {
    const admin = await createFleet("subs-token-cap");
    const created = await exports.default.fetch("http://w/api/tokens", {
      method: "POST",
      headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "reader", scopes: ["read"] }),
    });
    const { token, id } = (await created.json()) as { token: string; id: string };
    const links = await Promise.all(Array.from({ length: MAX_LISTENERS_PER_TOKEN }, () => link("subs-token-cap", id)));
    const reader = await modernClient(token);
    await expect(reader.client.listen({ resourceSubscriptions: [DEVICES] })).rejects.toThrow(
      `Subscription limit reached: this token has ${MAX_LISTENERS_PER_TOKEN} listen streams open, as many as one token may.`,
    );
    expect(await openLinks("subs-token-cap")).toBe(MAX_LISTENERS_PER_TOKEN);

    // Another token of the fleet still listens, and so does this one once a stream of its own ends.
    const other = await modernClient(admin);
    const otherSubscription = await other.client.listen({ resourceSubscriptions: [DEVICES] });
    links[0]?.ws.close(1000, "done");
    await expect.poll(() => openLinks("subs-token-cap")).toBe(MAX_LISTENERS_PER_TOKEN);
    const subscription = await reader.client.listen({ resourceSubscriptions: [DEVICES] });
    expect(subscription.honoredFilter).toEqual({ resourceSubscriptions: [DEVICES] });
    await Promise.all([subscription.close(), otherSubscription.close(), reader.client.close(), other.client.close()]);
    for (const open of links) open.ws.close(1000, "done");
  });
});

/** A small sample with the hottest sensor at `tempC`. */
const sample = (tempC: number): TimedSample => ({ t: Date.now(), tempsC: { cpu: tempC }, cpus: [{ loadPct: 10, freqMHz: 1500 }] });

let nextMessageId = 500;
async function publishTemperature(client: DeviceClient, id: string, tempC: number): Promise<void> {
  const messageId = nextMessageId++;
  client.publishJson(`jetson/${id}/telemetry`, { samples: [sample(tempC)] }, messageId);
  expect(await client.next("puback")).toMatchObject({ messageId, reasonCode: 0 });
}

async function readAlerts(client: Client, id: string): Promise<DeviceAlerts> {
  const result = await client.readResource({ uri: alertsOf(id) });
  const text = result.contents[0] && "text" in result.contents[0] ? result.contents[0].text : "{}";
  return JSON.parse(text) as DeviceAlerts;
}

describe("subscriptions/listen on /mcp (2026-07-28)", () => {
  it("brings a client listening to a device's alerts the alert its telemetry raises and its clearing; another fleet's client hears nothing of it", async () => {
    const secret = await provision("subs-hot");
    const token = ADMIN.Authorization?.slice("Bearer ".length) ?? "";
    const otherToken = await createFleet("subs-other");
    const mine = await modernClient(token);
    const other = await modernClient(otherToken);
    const filter = { resourceSubscriptions: [alertsOf("subs-hot"), DEVICES] };
    const [subscription, otherSubscription] = await Promise.all([mine.client.listen(filter), other.client.listen(filter)]);
    expect(subscription.honoredFilter).toEqual(filter);

    // Cleared as soon as one cool sample comes (an alert waits a minute by default).
    const thresholds = await exports.default.fetch("http://w/api/devices/subs-hot/alerts/thresholds", {
      method: "PUT",
      headers: { ...ADMIN, "Content-Type": "application/json" },
      body: JSON.stringify({ clearAfterSeconds: 0 }),
    });
    expect(thresholds.status).toBe(200);
    const board = await DeviceClient.open("/tunnel/local/subs-hot");
    expect(await board.connect("subs-hot", secret)).toMatchObject({ reasonCode: 0 });
    const raised = mine.updated(alertsOf("subs-hot"));
    await publishTemperature(board, "subs-hot", 95);
    await raised;
    expect((await readAlerts(mine.client, "subs-hot")).active.map((alert) => alert.kind)).toEqual(["temperature"]);

    const cleared = mine.updated(alertsOf("subs-hot"));
    await publishTemperature(board, "subs-hot", 50);
    await cleared;
    expect((await readAlerts(mine.client, "subs-hot")).active).toEqual([]);

    // The other fleet's stream is live: a device of its own is heard, and it is the first thing heard.
    const ownDevice = other.updated(DEVICES);
    await exports.default.fetch("http://w/api/devices", {
      method: "POST",
      headers: { Authorization: `Bearer ${otherToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ id: "subs-elsewhere" }),
    });
    await ownDevice;
    expect(other.updates).toEqual([DEVICES]);
    await Promise.all([subscription.close(), otherSubscription.close(), mine.client.close(), other.client.close()]);
  });

  it("closes the registry's link when the client stops listening", async () => {
    const token = await createFleet("subs-close");
    const { client } = await modernClient(token);
    const subscription = await client.listen({ resourceSubscriptions: [DEVICES] });
    expect(await openLinks("subs-close")).toBe(1);
    await subscription.close();
    // The runtime learns that the client has gone when the stream next speaks.
    await registryStub(env, "subs-close").upsert(summary("subs-close", "after"));
    await expect.poll(() => openLinks("subs-close")).toBe(0);
    await client.close();
  });

  it("ends a stream when its token is revoked, and one that has been open its hour, so that the client listens again", async () => {
    const admin = await createFleet("subs-revoke");
    const created = await exports.default.fetch("http://w/api/tokens", {
      method: "POST",
      headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "listener", scopes: ["read"] }),
    });
    const { token, id } = (await created.json()) as { token: string; id: string };
    const revocable = await modernClient(token);
    const kept = await modernClient(admin);
    const [revoked, old] = await Promise.all([revocable.client.listen({ resourceSubscriptions: [DEVICES] }), kept.client.listen({ resourceSubscriptions: [DEVICES] })]);

    await exports.default.fetch(`http://w/api/tokens/${id}`, { method: "DELETE", headers: { Authorization: `Bearer ${admin}` } });
    expect(await revoked.closed).toBe("remote");
    expect(await openLinks("subs-revoke")).toBe(1);

    // The remaining link's hour is up; the next change it would hear ends it instead.
    await runInDurableObject(registryStub(env, "subs-revoke"), (_object, state) => {
      for (const ws of state.getWebSockets("listen")) ws.serializeAttachment({ expiresAt: Date.now() - 1 });
    });
    await registryStub(env, "subs-revoke").upsert(summary("subs-revoke", "late"));
    expect(await old.closed).toBe("remote");
    expect(kept.updates).toEqual([]);
    await Promise.all([revocable.client.close(), kept.client.close()]);
  });

  it("refuses a token without the read scope before any stream opens", async () => {
    const admin = await createFleet("subs-scope");
    const response = await exports.default.fetch("http://w/api/tokens", {
      method: "POST",
      headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "operate only", scopes: ["operate"] }),
    });
    const { token } = (await response.json()) as { token: string };
    const { client } = await modernClient(token);
    await expect(client.listen({ resourceSubscriptions: [DEVICES] })).rejects.toThrow(/"read" scope/);
    expect(await openLinks("subs-scope")).toBe(0);
    await client.close();
  });

  it("offers resource subscriptions to 2026-07-28 clients; 2025-11-25 clients keep list changes only", async () => {
    const token = await createFleet("subs-eras");
    const { client } = await modernClient(token);
    expect(client.getServerCapabilities()?.resources).toEqual({ subscribe: true, listChanged: true });
    const legacy = new LegacyClient({ name: "subscriptions-test-2025", version: "1.0.0" });
    await legacy.connect(new LegacyTransport(new URL(`${env.PUBLIC_URL}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } }, fetch: viaWorker }));
    expect(legacy.getServerCapabilities()?.resources).toEqual({ listChanged: true });
    await Promise.all([client.close(), legacy.close()]);
  });
});
