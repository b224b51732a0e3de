import { describe, expect, test } from "vitest";
import { encodePacket } from "./encode.js";
import { MqttErrorCode, MqttProtocolError } from "./errors.js";
import type { Packet } from "./packets.js";
import { PacketReader } from "./reader.js";
import { ascii, concat, hex } from "./testing/bytes.js";

const options = { maxPacketBytes: 256 };
const connect: Packet = {
  type: "connect",
  protocolVersion: 5,
  clientId: "dev-1",
  clean: true,
  keepalive: 60,
  properties: { sessionExpiryInterval: 0 },
};
const publish: Packet = {
  type: "publish",
  topic: "jetson/dev-1/telemetry",
  payload: ascii('{"cpu":12}'),
  qos: 1,
  retain: false,
  dup: false,
  messageId: 1,
  properties: { userProperties: [["unit", "%"]] },
};
const ping: Packet = { type: "pingreq" };
const stream = (...packets: Packet[]): Uint8Array => concat(packets.map((p) => encodePacket(p, 5)));

function protocolErrorOf(action: () => unknown): MqttProtocolError {
  try {
    action();
  } catch (error) {
    if (error instanceof MqttProtocolError) return error;
    throw error;
  }
  throw new Error("expected an MqttProtocolError");
}

describe("PacketReader", () => {
  test("reassembles packets pushed one byte at a time", () => {
    const reader = new PacketReader(options);
    const bytes = stream(connect, publish);
    const results = Array.from(bytes, (byte) => reader.push(Uint8Array.of(byte)));
    expect(results.flat()).toEqual([connect, publish]);
    // Each packet surfaces exactly on its last byte.
    expect(results.findIndex((r) => r.length > 0)).toBe(encodePacket(connect, 5).length - 1);
    expect(reader.snapshot().pending).toEqual(new Uint8Array());
  });

  test("returns every packet of a frame that holds three", () => {
    expect(new PacketReader(options).push(stream(connect, publish, ping))).toEqual([connect, publish, ping]);
  });

  test("keeps a partial packet across frames", () => {
    const reader = new PacketReader(options);
    const bytes = stream(connect, publish, ping);
    const cut = encodePacket(connect, 5).length + 5;
    expect(reader.push(bytes.subarray(0, cut))).toEqual([connect]);
    expect(reader.push(bytes.subarray(cut))).toEqual([publish, ping]);
  });

  test("resumes from a snapshot taken mid-packet", () => {
    const reader = new PacketReader(options);
    const bytes = stream(connect, publish);
    const cut = encodePacket(connect, 5).length + 7;
    const chunk = bytes.slice(0, cut);
    expect(reader.push(chunk)).toEqual([connect]);
    // Snapshots go through structured clone when stored; they must not alias the reader's or caller's buffers.
    const snapshot = structuredClone(reader.snapshot());
    chunk.fill(0);
    expect(snapshot).toEqual({ version: 5, pending: bytes.slice(encodePacket(connect, 5).length, cut) });

    const restored = new PacketReader(options, snapshot);
    expect(restored.push(bytes.subarray(cut))).toEqual([publish]);
  });

  test("decodes with the version of a restored snapshot, without a new CONNECT", () => {
    const reader = new PacketReader(options, { version: 5, pending: new Uint8Array() });
    expect(reader.push(hex("40 04 00 07 10 00"))).toEqual([{ type: "puback", messageId: 7, reasonCode: 0x10 }]);
    expect(new PacketReader(options, { version: 4, pending: new Uint8Array() }).push(hex("40 02 00 07"))).toEqual([
      { type: "puback", messageId: 7 },
    ]);
  });

  test("rejects a packet larger than maxPacketBytes as soon as its header arrives", () => {
    const reader = new PacketReader(options);
    reader.push(stream(connect));
    const big = encodePacket({ ...publish, payload: new Uint8Array(300) }, 5);
    expect(protocolErrorOf(() => reader.push(big.subarray(0, 3))).reasonCode).toBe(MqttErrorCode.PacketTooLarge);
  });

  test("holds no more of a CONNECT than maxConnectBytes, then allows maxPacketBytes", () => {
    const reader = new PacketReader({ maxPacketBytes: 1 << 20, maxConnectBytes: 64 });
    const huge = encodePacket({ ...connect, username: "dev-1", password: new Uint8Array(60_000) }, 5);
    expect(protocolErrorOf(() => reader.push(huge.subarray(0, 4))).reasonCode).toBe(MqttErrorCode.PacketTooLarge);
    const big = { ...publish, payload: new Uint8Array(100_000) };
    expect(new PacketReader({ maxPacketBytes: 1 << 20, maxConnectBytes: 64 }).push(stream(connect, big))).toEqual([connect, big]);
  });

  test("accepts a packet of exactly maxPacketBytes", () => {
    const packet = encodePacket(connect, 5);
    expect(new PacketReader({ maxPacketBytes: packet.length }).push(packet)).toEqual([connect]);
    expect(protocolErrorOf(() => new PacketReader({ maxPacketBytes: packet.length - 1 }).push(packet)).reasonCode).toBe(
      MqttErrorCode.PacketTooLarge,
    );
  });

  test("rejects a first packet that is not CONNECT, from its first byte", () => {
    expect(protocolErrorOf(() => new PacketReader(options).push(hex("c0 00"))).reasonCode).toBe(MqttErrorCode.ProtocolError);
    expect(protocolErrorOf(() => new PacketReader(options).push(hex("30"))).reasonCode).toBe(MqttErrorCode.ProtocolError);
  });

  test("rejects a second CONNECT", () => {
    const reader = new PacketReader(options);
    reader.push(stream(connect));
    expect(protocolErrorOf(() => reader.push(stream(connect))).reasonCode).toBe(MqttErrorCode.ProtocolError);
  });

  test("reports malformed input as MqttProtocolError", () => {
    const reader = new PacketReader(options);
    reader.push(stream(connect));
    expect(protocolErrorOf(() => reader.push(hex("c0 ff ff ff ff"))).reasonCode).toBe(MqttErrorCode.MalformedPacket);
  });
});
