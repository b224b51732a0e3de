import { ByteWriter } from "./byte-writer.js";
import { PACKET_TYPE_CODES, requiredFlags } from "./fixed-header.js";
import type { ConnectPacket, Packet, Properties, ProtocolVersion, PublishPacket, Subscription } from "./packets.js";
import { writeProperties } from "./properties.js";

/**
 * Encodes one packet for a connection speaking `protocolVersion` (CONNECT uses its own).
 * MQTT 5 fields (properties, reason codes, subscription options) are dropped for version 4.
 * Values that cannot be encoded (a 70 KB topic, QoS 1 without messageId) throw RangeError.
 */
export function encodePacket(packet: Packet, protocolVersion: ProtocolVersion): Uint8Array {
  const body = new ByteWriter();
  const v5 = protocolVersion === 5;
  const props = (properties: Properties | undefined): void => {
    if (v5) writeProperties(body, properties);
  };
  // MQTT 5 lets a success code without properties be left off, which is also the 3.1.1 form.
  const reasonAndProps = (reasonCode = 0, properties?: Properties): void => {
    if (!v5 || (reasonCode === 0 && !properties)) return;
    body.u8(reasonCode);
    writeProperties(body, properties);
  };
  const flags = packet.type === "publish" ? publishFlags(packet) : requiredFlags(packet.type);

  switch (packet.type) {
    case "connect":
      encodeConnect(packet, body);
      break;
    case "connack":
      body.u8(packet.sessionPresent ? 1 : 0);
      body.u8(packet.reasonCode);
      props(packet.properties);
      break;
    case "publish":
      body.utf8(packet.topic);
      if (packet.qos > 0) body.u16(requireMessageId(packet.messageId));
      props(packet.properties);
      body.bytes(packet.payload);
      break;
    case "puback":
      body.u16(packet.messageId);
      reasonAndProps(packet.reasonCode, packet.properties);
      break;
    case "subscribe":
      body.u16(packet.messageId);
      props(packet.properties);
      for (const subscription of packet.subscriptions) {
        body.utf8(subscription.topic);
        body.u8(subscriptionOptions(subscription, v5));
      }
      break;
    case "suback":
      body.u16(packet.messageId);
      props(packet.properties);
      body.bytes(Uint8Array.from(packet.granted));
      break;
    case "unsubscribe":
      body.u16(packet.messageId);
      props(packet.properties);
      for (const topic of packet.topics) body.utf8(topic);
      break;
    case "unsuback":
      body.u16(packet.messageId);
      if (v5) {
        props(packet.properties);
        body.bytes(Uint8Array.from(packet.reasonCodes));
      }
      break;
    case "pingreq":
    case "pingresp":
      break;
    case "disconnect":
      reasonAndProps(packet.reasonCode, packet.properties);
      break;
  }

  const out = new ByteWriter();
  out.u8((PACKET_TYPE_CODES[packet.type] << 4) | flags);
  out.varint(body.length);
  out.bytes(body.finish());
  return out.finish();
}

function encodeConnect(packet: ConnectPacket, body: ByteWriter): void {
  const { will, username, password } = packet;
  const v5 = packet.protocolVersion === 5;
  body.utf8("MQTT");
  body.u8(packet.protocolVersion);
  body.u8(
    (username !== undefined ? 0x80 : 0) |
      (password !== undefined ? 0x40 : 0) |
      (will?.retain ? 0x20 : 0) |
      ((will?.qos ?? 0) << 3) |
      (will ? 0x04 : 0) |
      (packet.clean ? 0x02 : 0),
  );
  body.u16(packet.keepalive);
  if (v5) writeProperties(body, packet.properties);
  body.utf8(packet.clientId);
  if (will) {
    if (v5) writeProperties(body, will.properties);
    body.utf8(will.topic);
    body.binary(will.payload);
  }
  if (username !== undefined) body.utf8(username);
  if (password !== undefined) body.binary(password);
}

function publishFlags({ dup, qos, retain }: PublishPacket): number {
  return (dup ? 0b1000 : 0) | (qos << 1) | (retain ? 0b0001 : 0);
}

function subscriptionOptions({ qos, nl, rap, rh }: Subscription, v5: boolean): number {
  return v5 ? qos | (nl ? 0b0100 : 0) | (rap ? 0b1000 : 0) | ((rh ?? 0) << 4) : qos;
}

function requireMessageId(messageId: number | undefined): number {
  if (messageId === undefined) throw new RangeError("PUBLISH with QoS > 0 needs a messageId");
  return messageId;
}
