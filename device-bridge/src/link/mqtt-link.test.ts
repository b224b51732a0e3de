import { CLOUD_CLOCK_PROPERTY } from "@jetson/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { MessageTooLarge } from "../message-too-large.js";
import type { MqttLink } from "./mqtt-link.js";
import { PublishRefused } from "./publish-refused.js";
import { ScriptedBroker } from "./scripted-broker.js";
import { linkTo } from "./link-to.fixture.js";

describe("MqttLink", () => {
  let broker: ScriptedBroker;
  let link: MqttLink | undefined;
  afterEach(async () => {
    await link?.stop();
    await broker.close();
  });

  /** A link connected to a broker that acknowledges nothing until told to. */
  async function connectedToHoldingBroker(): Promise<MqttLink> {
    broker = await ScriptedBroker.start();
    broker.answer = () => "hold";
    const linked = linkTo(broker);
    const connected = linked.nextConnect();
    linked.link.start();
    await connected;
    return linked.link;
  }

  it("passes on the cloud's clock from its CONNACK, and nothing from a cloud that does not say it", async () => {
    broker = await ScriptedBroker.start();
    const clocks: number[] = [];
    broker.connackUserProperties = [[CLOUD_CLOCK_PROPERTY, "1765000000000"]];
    const linked = linkTo(broker, undefined, (cloudNow) => clocks.push(cloudNow));
    link = linked.link;
    let connected = linked.nextConnect();
    link.start();
    await connected;
    // An older Worker's CONNACK, and one whose property is not a clock.
    for (const properties of [[], [[CLOUD_CLOCK_PROPERTY, "soon"]]] satisfies Array<Array<[string, string]>>) {
      broker.connackUserProperties = properties;
      connected = linked.nextConnect();
      broker.dropConnections();
      await connected;
    }
    expect(clocks).toEqual([1765000000000]);
  });

  it("says why the cloud closed the connection when it reconnects", async () => {
    broker = await ScriptedBroker.start();
    const linked = linkTo(broker);
    link = linked.link;
    let connected = linked.nextConnect();
    link.start();
    await connected;
    connected = linked.nextConnect();
    broker.closeConnections(1008, "keepalive expired");
    await connected;
    connected = linked.nextConnect();
    broker.closeConnections(1002, "malformed packet", 0x81);
    await connected;
    connected = linked.nextConnect();
    broker.dropConnections();
    await connected;
    expect(linked.logged.filter((line) => line.startsWith("link closed"))).toEqual([
      expect.stringMatching(/^link closed \(WebSocket 1008: keepalive expired\); reconnecting in \d+ ms$/),
      expect.stringMatching(/^link closed \(DISCONNECT with reason code 129, then WebSocket 1002: malformed packet\); reconnecting in \d+ ms$/),
      expect.stringMatching(/^link closed \(cut without a close frame: WebSocket 1006\); reconnecting in \d+ ms$/),
    ]);
  });

  it("stops even when the cloud never acknowledges a message in flight", async () => {
    const held = await connectedToHoldingBroker();
    const unacknowledged = held.publish("d/dev/telemetry", "{}").catch((error: unknown) => error);
    await broker.publishWhere(() => true);
    await held.stop();
    expect(await unacknowledged).toBeInstanceOf(Error);
  });

  it("ends gracefully (DISCONNECT, so no Will) once the cloud acknowledges what was in flight when it stopped", async () => {
    const stopping = await connectedToHoldingBroker();
    const inFlight = stopping.publish("d/dev/telemetry", "last");
    const held = await broker.publishWhere((p) => p.payload === "last");
    const stopped = stopping.stop();
    broker.acknowledge(held);
    await expect(inFlight).resolves.toEqual({});
    await broker.disconnected(held.connection);
    await stopped;
  });

  it("sends a message the link lost unacknowledged again after reconnecting, before anything published later, and settles it", async () => {
    broker = await ScriptedBroker.start();
    const linked = linkTo(broker);
    link = linked.link;
    const connected = linked.nextConnect();
    link.start();
    await connected;
    broker.answer = () => "hold";
    const first = link.publish("d/dev/telemetry", "first");
    await broker.publishWhere((p) => p.payload === "first");
    broker.answer = () => ({ reasonCode: 0 });
    const reconnected = linked.nextConnect();
    broker.dropConnections();
    await reconnected;
    await link.publish("d/dev/telemetry", "second");
    expect(broker.publishes.map((p) => [p.connection, p.payload])).toEqual([
      [1, "first"],
      [2, "first"],
      [2, "second"],
    ]);
    await expect(first).resolves.toEqual({});
  });

  it("passes on what the cloud said of a message it took in part, and why it refused one", async () => {
    broker = await ScriptedBroker.start();
    const said: Record<string, { reasonCode: number; reasonString?: string }> = {
      partly: { reasonCode: 0, reasonString: "refused 1 of 2 samples" },
      refused: { reasonCode: 0x99, reasonString: "not a telemetry batch" },
    };
    broker.answer = (p) => said[p.payload] ?? { reasonCode: 0 };
    const linked = linkTo(broker);
    link = linked.link;
    const connected = linked.nextConnect();
    link.start();
    await connected;
    expect(await link.publish("d/dev/telemetry", "whole")).toEqual({});
    expect(await link.publish("d/dev/telemetry", "partly")).toEqual({ reasonString: "refused 1 of 2 samples" });
    const refusal = await link.publish("d/dev/telemetry", "refused").catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(PublishRefused);
    expect(refusal).toMatchObject({ reasonCode: 0x99, message: expect.stringContaining("not a telemetry batch") });
    expect(await link.publish("d/dev/telemetry", "whole")).toEqual({});
  });

  it("connects when the cloud refuses a feature's optional topic, which it asks for apart from the commands", async () => {
    broker = await ScriptedBroker.start();
    broker.refuse = (topic) => topic === "d/dev/port-down";
    const linked = linkTo(broker, ["d/dev/port-down"]);
    link = linked.link;
    const connected = linked.nextConnect();
    link.start();
    await connected;
    expect(link.connected).toBe(true);
    await broker.subscribed("d/dev/port-down");
    expect(broker.subscriptions).toEqual(["d/dev/cmd", "d/dev/port-down"]);
  });

  it("refuses a message larger than the broker takes before sending it, so the connection stays up and the message is never sent again", async () => {
    broker = await ScriptedBroker.start();
    broker.maxPacketBytes = 2_000;
    const linked = linkTo(broker);
    link = linked.link;
    const connected = linked.nextConnect();
    link.start();
    await connected;
    // A packet of exactly the broker's maximum goes: 1 + 2 (fixed header) + 2 + 15 (topic) + 2 (id) + 1 (properties) + payload.
    const fits = "x".repeat(2_000 - 23);
    await link.publish("d/dev/telemetry", fits);
    expect(broker.publishes.map((p) => p.packetBytes)).toEqual([2_000]);
    const tooLarge = `${fits}x`;
    expect(() => link?.publish("d/dev/telemetry", tooLarge)).toThrow(MessageTooLarge);
    expect(() => link?.publish("d/dev/telemetry", tooLarge)).toThrow(/2001 bytes on d\/dev\/telemetry is larger than the 2000 bytes/);
    expect(() => link?.publishOnce("d/dev/port-up", new Uint8Array(2_000))).toThrow(MessageTooLarge);
    // While the link is down too: the size the last CONNACK gave still holds.
    const reconnected = linked.nextConnect();
    broker.dropConnections();
    expect(() => link?.publish("d/dev/telemetry", tooLarge)).toThrow(MessageTooLarge);
    await reconnected;
    await link.publish("d/dev/telemetry", "after");
    expect(broker.oversized).toEqual([]);
    expect(broker.publishes.map((p) => [p.connection, p.payload.length])).toEqual([
      [1, fits.length],
      [2, "after".length],
    ]);
  });
});
