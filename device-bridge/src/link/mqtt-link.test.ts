import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { MqttLink } from "./mqtt-link.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * A broker that accepts CONNECT and SUBSCRIBE but never acknowledges a publish: a cloud
 * that stopped answering while the bridge still had a message in flight.
 */
async function silentBroker(): Promise<{ url: string; publishes: () => number; close(): Promise<void> }> {
  const server = new WebSocketServer({ port: 0, host: "127.0.0.1", handleProtocols: () => "mqtt" });
  await once(server, "listening");
  let publishes = 0;
  server.on("connection", (socket: WebSocket) => {
    socket.on("message", (data: Buffer) => {
      const type = data[0]! >> 4;
      // MQTT 5 CONNACK: no session, success, no properties.
      if (type === 1) socket.send(Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00]));
      // SUBACK for packet id at bytes 2-3 (one-byte length), granting QoS 1.
      if (type === 8) socket.send(Buffer.from([0x90, 0x04, data[2]!, data[3]!, 0x00, 0x01]));
      if (type === 3) publishes++;
    });
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/tunnel`,
    publishes: () => publishes,
    close: () => new Promise((resolve) => {
      for (const client of server.clients) client.terminate();
      server.close(() => resolve());
    }),
  };
}

describe("MqttLink", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  it("stops even when the cloud never acknowledges a message in flight", async () => {
    const broker = await silentBroker();
    close = broker.close;
    let onConnect = () => {};
    const connected = new Promise<void>((resolve) => (onConnect = resolve));
    const link = new MqttLink({
      url: broker.url,
      clientId: "dev",
      username: "fleet/dev",
      password: "secret",
      keepaliveSeconds: 60,
      reconnect: { minMs: 1_000, maxMs: 1_000 },
      will: { topic: "d/dev/state", payload: "{}" },
      subscribe: ["d/dev/cmd"],
      log: quiet,
      onConnect: () => onConnect(),
      onMessage() {},
    });
    link.start();
    await connected;
    const unacknowledged = link.publish("d/dev/telemetry", "{}").catch((error: unknown) => error);
    await expect.poll(broker.publishes).toBe(1);
    await link.stop();
    expect(await unacknowledged).toBeInstanceOf(Error);
  });
});
