import { describe, expect, test } from "vitest";
import { decodePacket } from "./decode.js";
import { encodePacket } from "./encode.js";
import type { Packet, ProtocolVersion } from "./packets.js";
import { ascii, hex } from "./testing/bytes.js";
import { referenceParse } from "./testing/mqtt-packet-reference.js";

interface Vector {
  name: string;
  version: ProtocolVersion;
  packet: Packet;
  bytes: string;
}

// Hand-assembled from the MQTT 3.1.1 and 5.0 specs, one line per field.
const vectors: Vector[] = [
  {
    name: "CONNECT with login",
    version: 4,
    packet: {
      type: "connect",
      protocolVersion: 4,
      clientId: "dev-1",
      clean: true,
      keepalive: 60,
      username: "u",
      password: ascii("p"),
    },
    bytes: "10 17  00 04 4d 51 54 54  04  c2  00 3c  00 05 64 65 76 2d 31  00 01 75  00 01 70",
  },
  {
    name: "CONNECT with will",
    version: 4,
    packet: {
      type: "connect",
      protocolVersion: 4,
      clientId: "c",
      clean: false,
      keepalive: 0,
      will: { topic: "w", payload: ascii("x"), qos: 1, retain: true },
    },
    bytes: "10 13  00 04 4d 51 54 54  04  2c  00 00  00 01 63  00 01 77  00 01 78",
  },
  { name: "CONNACK", version: 4, packet: { type: "connack", sessionPresent: true, reasonCode: 0 }, bytes: "20 02 01 00" },
  {
    name: "PUBLISH QoS 1, dup, retain",
    version: 4,
    packet: { type: "publish", topic: "a/b", payload: ascii("hi"), qos: 1, retain: true, dup: true, messageId: 10 },
    bytes: "3b 09  00 03 61 2f 62  00 0a  68 69",
  },
  {
    name: "PUBLISH QoS 0",
    version: 4,
    packet: { type: "publish", topic: "t", payload: ascii("ok"), qos: 0, retain: false, dup: false },
    bytes: "30 05  00 01 74  6f 6b",
  },
  { name: "PUBACK", version: 4, packet: { type: "puback", messageId: 10 }, bytes: "40 02 00 0a" },
  {
    name: "SUBSCRIBE",
    version: 4,
    packet: {
      type: "subscribe",
      messageId: 1,
      subscriptions: [
        { topic: "a/#", qos: 1 },
        { topic: "b", qos: 0 },
      ],
    },
    bytes: "82 0c  00 01  00 03 61 2f 23 01  00 01 62 00",
  },
  { name: "SUBACK", version: 4, packet: { type: "suback", messageId: 1, granted: [1, 0x80] }, bytes: "90 04 00 01 01 80" },
  {
    name: "UNSUBSCRIBE",
    version: 4,
    packet: { type: "unsubscribe", messageId: 2, topics: ["a/#"] },
    bytes: "a2 07  00 02  00 03 61 2f 23",
  },
  { name: "UNSUBACK", version: 4, packet: { type: "unsuback", messageId: 2, reasonCodes: [] }, bytes: "b0 02 00 02" },
  { name: "PINGREQ", version: 4, packet: { type: "pingreq" }, bytes: "c0 00" },
  { name: "PINGRESP", version: 4, packet: { type: "pingresp" }, bytes: "d0 00" },
  { name: "DISCONNECT", version: 4, packet: { type: "disconnect" }, bytes: "e0 00" },

  {
    name: "CONNECT with properties and will properties",
    version: 5,
    packet: {
      type: "connect",
      protocolVersion: 5,
      clientId: "dev-1",
      clean: true,
      keepalive: 60,
      username: "u",
      properties: { sessionExpiryInterval: 3600, receiveMaximum: 20 },
      will: { topic: "w", payload: ascii("x"), qos: 0, retain: false, properties: { willDelayInterval: 5 } },
    },
    bytes:
      "10 29  00 04 4d 51 54 54  05  86  00 3c  08 11 00 00 0e 10 21 00 14  00 05 64 65 76 2d 31" +
      "  05 18 00 00 00 05  00 01 77  00 01 78  00 01 75",
  },
  {
    name: "CONNACK with properties",
    version: 5,
    packet: {
      type: "connack",
      sessionPresent: false,
      reasonCode: 0,
      properties: { assignedClientIdentifier: "x", maximumQoS: 1, retainAvailable: 0 },
    },
    bytes: "20 0b  00  00  08 12 00 01 78 24 01 25 00",
  },
  {
    name: "PUBLISH QoS 1 with request/response properties",
    version: 5,
    packet: {
      type: "publish",
      topic: "a/b",
      payload: ascii("hi"),
      qos: 1,
      retain: false,
      dup: false,
      messageId: 7,
      properties: { contentType: "j", correlationData: hex("01 02"), userProperties: [["k", "v"]] },
    },
    bytes: "32 1a  00 03 61 2f 62  00 07  10 03 00 01 6a 09 00 02 01 02 26 00 01 6b 00 01 76  68 69",
  },
  {
    name: "PUBLISH with two subscription identifiers and no payload",
    version: 5,
    packet: {
      type: "publish",
      topic: "t",
      payload: new Uint8Array(),
      qos: 0,
      retain: false,
      dup: false,
      properties: { subscriptionIdentifier: [1, 200] },
    },
    bytes: "30 09  00 01 74  05 0b 01 0b c8 01",
  },
  { name: "PUBACK success, short form", version: 5, packet: { type: "puback", messageId: 7, reasonCode: 0 }, bytes: "40 02  00 07" },
  {
    name: "PUBACK with reason code",
    version: 5,
    packet: { type: "puback", messageId: 7, reasonCode: 0x10 },
    bytes: "40 04  00 07  10  00",
  },
  {
    name: "PUBACK with reason string",
    version: 5,
    packet: { type: "puback", messageId: 7, reasonCode: 0x87, properties: { reasonString: "no" } },
    bytes: "40 09  00 07  87  05 1f 00 02 6e 6f",
  },
  {
    name: "SUBSCRIBE with options and identifier",
    version: 5,
    packet: {
      type: "subscribe",
      messageId: 1,
      properties: { subscriptionIdentifier: [5] },
      subscriptions: [{ topic: "a/#", qos: 1, nl: true, rap: true, rh: 2 }],
    },
    bytes: "82 0b  00 01  02 0b 05  00 03 61 2f 23 2d",
  },
  { name: "SUBACK", version: 5, packet: { type: "suback", messageId: 1, granted: [1, 0x87] }, bytes: "90 05  00 01  00  01 87" },
  {
    name: "UNSUBSCRIBE",
    version: 5,
    packet: { type: "unsubscribe", messageId: 2, topics: ["a/#", "b"] },
    bytes: "a2 0b  00 02  00  00 03 61 2f 23  00 01 62",
  },
  {
    name: "UNSUBACK with reason string",
    version: 5,
    packet: { type: "unsuback", messageId: 2, reasonCodes: [0, 0x11], properties: { reasonString: "x" } },
    bytes: "b0 09  00 02  04 1f 00 01 78  00 11",
  },
  { name: "PINGREQ", version: 5, packet: { type: "pingreq" }, bytes: "c0 00" },
  { name: "PINGRESP", version: 5, packet: { type: "pingresp" }, bytes: "d0 00" },
  { name: "DISCONNECT normal, short form", version: 5, packet: { type: "disconnect", reasonCode: 0 }, bytes: "e0 00" },
  {
    name: "DISCONNECT session taken over",
    version: 5,
    packet: { type: "disconnect", reasonCode: 0x8e, properties: { sessionExpiryInterval: 0 } },
    bytes: "e0 07  8e  05 11 00 00 00 00",
  },
];

describe.each(vectors)("v$version $name", ({ version, packet, bytes }) => {
  test("encodes to the known bytes", () => {
    expect(encodePacket(packet, version)).toEqual(hex(bytes));
  });

  test("decodes from the known bytes", () => {
    expect(decodePacket(hex(bytes), version)).toEqual(packet);
  });

  test("mqtt-packet reads the known bytes the same way", () => {
    expect(referenceParse(hex(bytes), version)).toEqual([packet]);
  });
});

describe("decoding what the spec allows but we do not send", () => {
  test("MQTT 5 PUBACK with a reason code and no property length", () => {
    expect(decodePacket(hex("40 03 00 07 10"), 5)).toEqual({ type: "puback", messageId: 7, reasonCode: 0x10 });
  });

  test("MQTT 5 DISCONNECT with a reason code and no property length", () => {
    expect(decodePacket(hex("e0 01 04"), 5)).toEqual({ type: "disconnect", reasonCode: 4 });
  });

  test("a non-minimal remaining length", () => {
    expect(decodePacket(hex("c0 80 00"), 4)).toEqual({ type: "pingreq" });
  });

  test("a leading U+FEFF stays in a string", () => {
    const packet = decodePacket(hex("30 06  00 04 ef bb bf 61"), 4);
    expect(packet).toMatchObject({ type: "publish", topic: "\uFEFFa" });
  });
});

describe("encoding", () => {
  test("drops MQTT 5 fields for version 4", () => {
    const packet: Packet = { type: "puback", messageId: 7, reasonCode: 0x80, properties: { reasonString: "no" } };
    expect(encodePacket(packet, 4)).toEqual(hex("40 02 00 07"));
  });

  test("writes a multi-byte remaining length", () => {
    const packet: Packet = { type: "publish", topic: "t", payload: new Uint8Array(200), qos: 0, retain: false, dup: false };
    expect(encodePacket(packet, 4).subarray(0, 3)).toEqual(hex("30 cb 01"));
  });

  test("refuses values the wire cannot carry", () => {
    const publish: Packet = { type: "publish", topic: "t", payload: new Uint8Array(), qos: 1, retain: false, dup: false };
    expect(() => encodePacket(publish, 4)).toThrow(RangeError);
    expect(() => encodePacket({ ...publish, qos: 0, topic: "t".repeat(65_536) }, 4)).toThrow(RangeError);
    expect(() => encodePacket({ type: "puback", messageId: 65_536 }, 4)).toThrow(RangeError);
  });
});
