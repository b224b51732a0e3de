import { ByteCursor } from "./byte-cursor.js";
import { MqttErrorCode, MqttProtocolError, malformed, protocolError } from "./errors.js";
import { PACKET_TYPE_CODES, readFixedHeader, requiredFlags } from "./fixed-header.js";
import type { ConnectPacket, Packet, PacketType, Properties, ProtocolVersion, QoS, Subscription, Will } from "./packets.js";
import { readProperties } from "./properties.js";

const typeByCode = new Map(
  Object.entries(PACKET_TYPE_CODES).map(([type, code]): [number, PacketType] => [code, type as PacketType]),
);
// Valid MQTT packets this server does not speak: it grants at most QoS 1 and offers no enhanced auth.
const UNSUPPORTED = new Map([
  [5, "PUBREC"],
  [6, "PUBREL"],
  [7, "PUBCOMP"],
  [15, "AUTH"],
]);

/**
 * Decodes exactly one complete packet. `protocolVersion` comes from the connection's
 * CONNECT; only CONNECT itself, which carries its own version, may be decoded without it.
 */
export function decodePacket(bytes: Uint8Array, protocolVersion?: ProtocolVersion): Packet {
  const header = readFixedHeader(bytes);
  if (header === undefined || header.headerLength + header.remainingLength > bytes.length) {
    throw malformed("packet is shorter than its fixed header announces");
  }
  const body = new ByteCursor(bytes.subarray(header.headerLength));
  if (body.remaining !== header.remainingLength) throw malformed("bytes after the end of the packet");

  const type = typeByCode.get(header.code);
  if (type === undefined) {
    const name = UNSUPPORTED.get(header.code);
    throw name ? protocolError(`${name} is not supported`) : malformed(`reserved packet type ${header.code}`);
  }
  if (type !== "publish" && header.flags !== requiredFlags(type)) {
    throw malformed(`${type.toUpperCase()} with reserved flags 0b${header.flags.toString(2).padStart(4, "0")}`);
  }
  let packet: Packet;
  if (type === "connect") packet = decodeConnect(body);
  else if (protocolVersion === undefined) throw protocolError(`${type.toUpperCase()} before CONNECT`);
  else packet = decodeBody(type, body, header.flags, protocolVersion);
  body.end();
  return packet;
}

function decodeBody(type: Exclude<PacketType, "connect">, c: ByteCursor, flags: number, v: ProtocolVersion): Packet {
  switch (type) {
    case "connack": {
      const ackFlags = c.u8();
      if (ackFlags > 1) throw malformed("CONNACK reserved flags set");
      const reasonCode = c.u8();
      return { type, sessionPresent: ackFlags === 1, reasonCode, ...props(c, v) };
    }
    case "publish": {
      const qos = toQoS((flags >> 1) & 0b11);
      const topic = c.utf8();
      const messageId = qos > 0 ? packetId(c) : undefined;
      const properties = props(c, v);
      const payload = c.bytes(c.remaining);
      const [retain, dup] = [(flags & 0b0001) !== 0, (flags & 0b1000) !== 0];
      return { type, topic, payload, qos, retain, dup, ...(messageId !== undefined && { messageId }), ...properties };
    }
    case "puback": {
      const messageId = packetId(c);
      if (v === 4) return { type, messageId };
      // MQTT 5 lets the sender drop a success code and an empty property block.
      const reasonCode = c.remaining > 0 ? c.u8() : 0;
      return { type, messageId, reasonCode, ...(c.remaining > 0 && props(c, v)) };
    }
    case "subscribe": {
      const messageId = packetId(c);
      const properties = props(c, v);
      const subscriptions: Subscription[] = [];
      while (c.remaining > 0) subscriptions.push(decodeSubscription(c, v));
      if (subscriptions.length === 0) throw protocolError("SUBSCRIBE without topic filters");
      return { type, messageId, subscriptions, ...properties };
    }
    case "suback": {
      const messageId = packetId(c);
      const properties = props(c, v);
      return { type, messageId, granted: [...c.bytes(c.remaining)], ...properties };
    }
    case "unsubscribe": {
      const messageId = packetId(c);
      const properties = props(c, v);
      const topics: string[] = [];
      while (c.remaining > 0) topics.push(c.utf8());
      if (topics.length === 0) throw protocolError("UNSUBSCRIBE without topic filters");
      return { type, messageId, topics, ...properties };
    }
    case "unsuback": {
      const messageId = packetId(c);
      if (v === 4) return { type, messageId, reasonCodes: [] };
      const properties = props(c, v);
      return { type, messageId, reasonCodes: [...c.bytes(c.remaining)], ...properties };
    }
    case "pingreq":
    case "pingresp":
      return { type };
    case "disconnect": {
      if (v === 4) return { type };
      const reasonCode = c.remaining > 0 ? c.u8() : 0;
      return { type, reasonCode, ...(c.remaining > 0 && props(c, v)) };
    }
  }
}

function decodeConnect(c: ByteCursor): ConnectPacket {
  const protocolName = c.utf8();
  const level = c.u8();
  if (protocolName !== "MQTT" || (level !== 4 && level !== 5)) {
    throw new MqttProtocolError(MqttErrorCode.UnsupportedProtocolVersion, `unsupported protocol ${protocolName} level ${level}`);
  }
  const flags = c.u8();
  if (flags & 0x01) throw malformed("CONNECT reserved flag set");
  const [hasUsername, hasPassword, hasWill] = [(flags & 0x80) !== 0, (flags & 0x40) !== 0, (flags & 0x04) !== 0];
  const willQos = toQoS((flags >> 3) & 0b11);
  const willRetain = (flags & 0x20) !== 0;
  if (!hasWill && (willQos !== 0 || willRetain)) throw malformed("will QoS or retain set without a will");
  // MQTT 5 allows a password alone; 3.1.1 does not.
  if (level === 4 && hasPassword && !hasUsername) throw malformed("password without user name");

  const keepalive = c.u16();
  const properties = props(c, level);
  const clientId = c.utf8();
  let will: Will | undefined;
  if (hasWill) {
    const willProperties = props(c, level);
    will = { topic: c.utf8(), payload: c.binary(), qos: willQos, retain: willRetain, ...willProperties };
  }
  const username = hasUsername ? c.utf8() : undefined;
  const password = hasPassword ? c.binary() : undefined;
  return {
    type: "connect",
    protocolVersion: level,
    clientId,
    clean: (flags & 0x02) !== 0,
    keepalive,
    ...(username !== undefined && { username }),
    ...(password && { password }),
    ...(will && { will }),
    ...properties,
  };
}

function decodeSubscription(c: ByteCursor, v: ProtocolVersion): Subscription {
  const topic = c.utf8();
  const options = c.u8();
  if (options & (v === 5 ? 0b1100_0000 : 0b1111_1100)) throw malformed("reserved subscription option bits set");
  const qos = toQoS(options & 0b11);
  if (v === 4) return { topic, qos };
  const rh = (options >> 4) & 0b11;
  if (!isUpToTwo(rh)) throw protocolError("retain handling 3");
  return { topic, qos, nl: (options & 0b0100) !== 0, rap: (options & 0b1000) !== 0, rh };
}

/** MQTT 5 property block as a spreadable object: empty when absent or in 3.1.1. */
function props(c: ByteCursor, v: ProtocolVersion): { properties?: Properties } {
  const properties = v === 5 ? readProperties(c) : undefined;
  return properties ? { properties } : {};
}

function packetId(c: ByteCursor): number {
  const id = c.u16();
  if (id === 0) throw protocolError("packet identifier 0");
  return id;
}

function isUpToTwo(n: number): n is 0 | 1 | 2 {
  return n <= 2;
}

function toQoS(n: number): QoS {
  if (!isUpToTwo(n)) throw malformed("QoS 3");
  return n;
}
