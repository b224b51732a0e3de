import { describe, expect, test } from "vitest";
import { decodePacket } from "./decode.js";
import { MqttErrorCode, MqttProtocolError } from "./errors.js";
import type { ProtocolVersion } from "./packets.js";
import { hex } from "./testing/bytes.js";

const { MalformedPacket, ProtocolError, UnsupportedProtocolVersion } = MqttErrorCode;

const MQTT = "00 04 4d 51 54 54";

const cases: [name: string, version: ProtocolVersion | undefined, bytes: string, reasonCode: number][] = [
  ["remaining length longer than 4 bytes", 4, "c0 ff ff ff ff 7f", MalformedPacket],
  ["packet shorter than its remaining length", 4, "30 05 00 01", MalformedPacket],
  ["string running past the end", 4, "30 03 00 05 61", MalformedPacket],
  ["bytes after the last field", 4, "c0 01 00", MalformedPacket],
  ["invalid UTF-8", 4, "30 04 00 02 c3 28", MalformedPacket],
  ["UTF-8 encoded surrogate", 4, "30 05 00 03 ed a0 80", MalformedPacket],
  ["U+0000 in a string", 4, "30 03 00 01 00", MalformedPacket],
  ["reserved packet type 0", 4, "00 00", MalformedPacket],
  ["AUTH", 5, "f0 00", ProtocolError],
  ["PUBREL", 5, "62 02 00 01", ProtocolError],
  ["SUBSCRIBE without its reserved flag", 4, "80 06 00 01 00 01 61 00", MalformedPacket],
  ["PUBACK with a flag set", 4, "41 02 00 01", MalformedPacket],
  ["PUBLISH with QoS 3", 4, "36 05 00 01 74 00 01", MalformedPacket],
  ["packet identifier 0", 4, "40 02 00 00", ProtocolError],
  ["3.1.1 PUBACK with a reason code", 4, "40 03 00 01 00", MalformedPacket],
  ["3.1.1 UNSUBACK with a reason code", 4, "b0 03 00 01 00", MalformedPacket],
  ["CONNACK with reserved flags", 4, "20 02 02 00", MalformedPacket],
  ["SUBSCRIBE without topics", 4, "82 02 00 01", ProtocolError],
  ["SUBSCRIBE with QoS 3", 4, "82 06 00 01 00 01 61 03", MalformedPacket],
  ["3.1.1 SUBSCRIBE with MQTT 5 options", 4, "82 06 00 01 00 01 61 04", MalformedPacket],
  ["SUBSCRIBE with retain handling 3", 5, "82 07 00 01 00 00 01 61 30", ProtocolError],
  ["UNSUBSCRIBE without topics", 4, "a2 02 00 01", ProtocolError],
  ["unknown property id", 5, "30 05 00 01 74 01 7f", MalformedPacket],
  ["property id longer than 4 bytes", 5, "30 09 00 01 74 05 ff ff ff ff 7f", MalformedPacket],
  ["property running past its block", 5, "30 06 00 01 74 02 02 00", MalformedPacket],
  ["property block running past the packet", 5, "30 04 00 01 74 05", MalformedPacket],
  ["property included twice", 5, "30 0a 00 01 74 06 23 00 01 23 00 02", ProtocolError],
  ["byte property other than 0 or 1", 5, "30 06 00 01 74 02 01 02", ProtocolError],
  ["packet before CONNECT", undefined, "c0 00", ProtocolError],
  ["CONNECT for MQTT 3.1", undefined, "10 0e 00 06 4d 51 49 73 64 70 03 02 00 3c 00 00", UnsupportedProtocolVersion],
  ["CONNECT with level 3", undefined, `10 0c ${MQTT} 03 02 00 3c 00 00`, UnsupportedProtocolVersion],
  ["CONNECT with level 6", undefined, `10 0c ${MQTT} 06 02 00 3c 00 00`, UnsupportedProtocolVersion],
  ["CONNECT with its reserved flag", undefined, `10 0c ${MQTT} 04 03 00 3c 00 00`, MalformedPacket],
  ["CONNECT with will QoS but no will", undefined, `10 0c ${MQTT} 04 0a 00 3c 00 00`, MalformedPacket],
  ["CONNECT with will QoS 3", undefined, `10 11 ${MQTT} 04 1e 00 3c 00 00 00 01 77 00 00`, MalformedPacket],
  ["3.1.1 CONNECT with a password but no user name", undefined, `10 0f ${MQTT} 04 42 00 3c 00 00 00 01 70`, MalformedPacket],
  ["CONNECT with bytes after the password", undefined, `10 11 ${MQTT} 04 c2 00 3c 00 00 00 00 00 00 00`, MalformedPacket],
];

describe("decodePacket rejects", () => {
  test.each(cases)("%s", (_name, version, bytes, reasonCode) => {
    let caught: unknown;
    try {
      decodePacket(hex(bytes), version);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MqttProtocolError);
    expect(caught).toMatchObject({ reasonCode });
  });
});

test("MQTT 5 CONNECT may carry a password without a user name", () => {
  const packet = decodePacket(hex(`10 10 ${MQTT} 05 42 00 3c 00 00 00 00 01 70`));
  expect(packet).toEqual({ type: "connect", protocolVersion: 5, clientId: "", clean: true, keepalive: 60, password: hex("70") });
});
