import { type Channel, channels, CLOUD_CLOCK_PROPERTY, parseTopic, topicFor } from "@jetson/protocol";
import type { ConnectPacket, Packet, PublishPacket } from "../mqtt/index.js";
import type { Connection } from "./connection.js";

/** MQTT 5 reason codes (3.1.1 return codes where they differ are mapped in `connackCode`). */
export const Reason = {
  success: 0x00,
  unspecified: 0x80,
  malformed: 0x81,
  protocolError: 0x82,
  notAuthorized: 0x87,
  badCredentials: 0x86,
  topicInvalid: 0x90,
  packetTooLarge: 0x95,
  payloadInvalid: 0x99,
} as const;

/** What the session needs from the device object. */
export interface SessionHost {
  readonly deviceId: string | undefined;
  credentialsValid(username: string | undefined, password: Uint8Array | undefined): Promise<boolean>;
  connected(connection: Connection): Promise<void>;
  /** The link started to listen on the device's command topic: once per connection, unless it unsubscribes from it. */
  subscribed(connection: Connection): Promise<void>;
  /** Handles a device-to-cloud message; answers how its PUBACK does. */
  received(channel: Channel, payload: Uint8Array): Promise<Acknowledgement>;
}

/** A PUBACK's MQTT 5 reason code, and a Reason String saying what of the message was refused. */
export interface Acknowledgement {
  reason: number;
  reasonString?: string;
}

const DOWN_CHANNELS = (Object.keys(channels) as Channel[]).filter((channel) => channels[channel].direction === "down");

/** MQTT 3.1.1 has one SUBACK failure code; 0x87 (not authorized) exists in MQTT 5 only. */
const SUBACK_FAILURE_V4 = 0x80;

export const MAX_PACKET_BYTES = 1 << 20;
/** A CONNECT holds ids, a token and a small will: a stranger's bytes beyond this are not kept. */
export const MAX_CONNECT_BYTES = 4096;
/** The will rides in the socket's attachment (2 KiB at most), beside the rest of the socket's state. */
export const MAX_WILL_BYTES = 512;

/**
 * The server side of MQTT for one device: CONNECT first and authenticated,
 * then publishes on the device's own topics, subscriptions to its command
 * topic, pings and disconnect. Anything else closes the connection.
 */
export async function handlePacket(connection: Connection, packet: Packet, host: SessionHost): Promise<void> {
  const state = connection.state;
  if (packet.type === "connect") return onConnect(connection, packet, host);
  if (!state.authenticated) return connection.retire(1008, "CONNECT must come first");
  switch (packet.type) {
    case "publish":
      return onPublish(connection, packet, host);
    case "subscribe": {
      const deviceId = host.deviceId;
      // The device may listen on its own cloud-to-device channels only.
      const allowed = new Set(deviceId ? DOWN_CHANNELS.map((channel) => topicFor(deviceId, channel)) : []);
      const refused = state.version === 5 ? Reason.notAuthorized : SUBACK_FAILURE_V4;
      const granted = packet.subscriptions.map((s) => (allowed.has(s.topic) ? Math.min(s.qos, 1) : refused));
      connection.send({ type: "suback", messageId: packet.messageId, granted });
      // Commands go to a link listening on its command topic; what it has not answered goes once per connection, however many SUBSCRIBEs come.
      if (!connection.state.subscribed && packet.subscriptions.some((s) => isCommandTopic(s.topic, deviceId))) {
        connection.update({ subscribed: true });
        await host.subscribed(connection);
      }
      return;
    }
    case "unsubscribe":
      if (packet.topics.some((topic) => isCommandTopic(topic, host.deviceId))) connection.update({ subscribed: false });
      return connection.send({
        type: "unsuback",
        messageId: packet.messageId,
        reasonCodes: packet.topics.map(() => Reason.success),
      });
    case "pingreq":
      return connection.send({ type: "pingresp" });
    case "puback":
      return;
    case "disconnect":
      // A clean goodbye: no will.
      connection.update({ will: undefined });
      return connection.close(1000, "disconnect");
    default:
      return connection.retire(1008, `unexpected ${packet.type} packet`);
  }
}

async function onConnect(connection: Connection, packet: ConnectPacket, host: SessionHost): Promise<void> {
  if (connection.state.authenticated) return connection.retire(1008, "second CONNECT");
  connection.update({ version: packet.protocolVersion });
  const valid =
    (packet.username ?? packet.clientId) === host.deviceId && (await host.credentialsValid(packet.username, packet.password));
  if (!valid) {
    connection.send({ type: "connack", sessionPresent: false, reasonCode: connackCode(packet.protocolVersion) });
    return connection.retire(1008, "bad credentials");
  }
  const willProblem = packet.will && checkWill(packet.will.topic, packet.will.payload, host.deviceId);
  if (willProblem) {
    const reasonCode = packet.protocolVersion === 5 ? willProblem.reason : CONNACK_NOT_AUTHORIZED_V4;
    connection.send({ type: "connack", sessionPresent: false, reasonCode });
    return connection.retire(1008, willProblem.message);
  }
  connection.update({
    authenticated: true,
    keepalive: packet.keepalive,
    will: packet.will ? { topic: packet.will.topic, payload: new TextDecoder().decode(packet.will.payload) } : undefined,
  });
  connection.send({
    type: "connack",
    sessionPresent: false,
    reasonCode: Reason.success,
    properties:
      packet.protocolVersion === 5
        ? {
            maximumPacketSize: MAX_PACKET_BYTES,
            topicAliasMaximum: 0,
            retainAvailable: 0,
            wildcardSubscriptionAvailable: 0,
            sharedSubscriptionAvailable: 0,
            maximumQoS: 1,
            userProperties: [[CLOUD_CLOCK_PROPERTY, String(Date.now())]],
          }
        : undefined,
  });
  await host.connected(connection);
}

async function onPublish(connection: Connection, packet: PublishPacket, host: SessionHost): Promise<void> {
  const topic = parseTopic(packet.topic);
  if (packet.qos === 2) return connection.retire(1008, "QoS 2 is not supported");
  const { reason, reasonString }: Acknowledgement =
    !topic || topic.deviceId !== host.deviceId ? { reason: Reason.topicInvalid } : await host.received(topic.channel, packet.payload);
  // Acknowledge only after the message is handled (stored), so a QoS 1 publish is never lost.
  if (packet.qos === 1 && packet.messageId !== undefined) {
    const v5 = connection.state.version === 5;
    connection.send({
      type: "puback",
      messageId: packet.messageId,
      reasonCode: v5 ? reason : undefined,
      properties: v5 && reasonString !== undefined ? { reasonString } : undefined,
    });
  }
}

/** Whether `topic` is the device's command topic: a link listening on it gets the device's commands. */
function isCommandTopic(topic: string, deviceId: string | undefined): boolean {
  return deviceId !== undefined && topic === topicFor(deviceId, "command");
}

/** 3.1.1 has no CONNACK code for a bad will; "not authorized" is the closest. */
const CONNACK_NOT_AUTHORIZED_V4 = 5;

/** A will is checked like the publish it will become: the device's own upward topics only, and small. */
function checkWill(topic: string, payload: Uint8Array, deviceId: string | undefined): { reason: number; message: string } | undefined {
  const parsed = parseTopic(topic);
  if (!parsed || parsed.deviceId !== deviceId || channels[parsed.channel].direction !== "up") {
    return { reason: Reason.topicInvalid, message: "will topic is not one of the device's own" };
  }
  if (payload.length > MAX_WILL_BYTES) return { reason: Reason.packetTooLarge, message: `will payload over ${MAX_WILL_BYTES} bytes` };
  return undefined;
}

/** CONNACK refusal for bad credentials: MQTT 5 reason 0x86, 3.1.1 return code 4. */
function connackCode(version: 4 | 5): number {
  return version === 5 ? Reason.badCredentials : 4;
}
