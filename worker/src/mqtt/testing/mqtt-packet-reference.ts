// mqtt-packet (CommonJS, Node Buffers) as the reference implementation. Its own typings need
// Node's, which this workerd project does not load, so it is reached through the small
// interfaces below, and objects cross over in its conventions: `cmd`, Buffers, boolean
// byte properties, user properties as a key-to-values record.
import * as mqttPacket from "mqtt-packet";
import type { Packet, Properties, ProtocolVersion, QoS, Subscription } from "../packets.js";
import { PROPERTY_TABLE } from "../properties.js";

type RefProperties = Record<string, unknown>;
/** The fields of mqtt-packet's packet objects that matter here (its parser adds a few more). */
interface RefPacket {
  cmd: string;
  messageId?: number;
  protocolVersion?: ProtocolVersion;
  clientId?: string;
  clean?: boolean;
  keepalive?: number;
  username?: string;
  password?: Uint8Array;
  will?: { topic: string; payload: Uint8Array; qos: QoS; retain: boolean; properties?: RefProperties };
  properties?: RefProperties;
  sessionPresent?: boolean;
  returnCode?: number;
  reasonCode?: number;
  topic?: string | null;
  payload?: Uint8Array | null;
  qos?: QoS;
  retain?: boolean;
  dup?: boolean;
  subscriptions?: Subscription[];
  granted?: number[];
  unsubscriptions?: string[];
}
interface Reference {
  generate(packet: RefPacket, options: { protocolVersion: number }): Uint8Array;
  parser(options: { protocolVersion: number }): {
    on(event: "packet", listener: (packet: RefPacket) => void): void;
    on(event: "error", listener: (error: Error) => void): void;
    parse(bytes: Uint8Array): number;
  };
}
const reference = mqttPacket as unknown as Reference;
const { Buffer } = globalThis as unknown as { Buffer: { from(bytes: Uint8Array): Uint8Array } };

export function referenceGenerate(packet: Packet, version: ProtocolVersion): Uint8Array {
  return new Uint8Array(reference.generate(toReference(packet, version), { protocolVersion: version }));
}

/** Every packet mqtt-packet's parser finds in `bytes`, converted to ours; throws what it emits as error. */
export function referenceParse(bytes: Uint8Array, version: ProtocolVersion): Packet[] {
  const parser = reference.parser({ protocolVersion: version });
  const packets: Packet[] = [];
  let failure: Error | undefined;
  parser.on("packet", (packet) => packets.push(fromReference(packet)));
  parser.on("error", (error) => (failure ??= error));
  parser.parse(Buffer.from(bytes));
  if (failure) throw failure;
  return packets;
}

function toReference(packet: Packet, version: ProtocolVersion): RefPacket {
  const properties = "properties" in packet && packet.properties ? { properties: propertiesToReference(packet.properties) } : {};
  switch (packet.type) {
    case "connect": {
      const { will, password } = packet;
      return {
        cmd: "connect",
        ...packet,
        ...properties,
        ...(password && { password: Buffer.from(password) }),
        ...(will && {
          will: {
            ...will,
            payload: Buffer.from(will.payload),
            ...(will.properties && { properties: propertiesToReference(will.properties) }),
          },
        }),
      };
    }
    case "connack":
      // 3.1.1 calls it a return code.
      return { cmd: "connack", ...packet, ...properties, ...(version === 4 && { returnCode: packet.reasonCode }) };
    case "publish":
      return { cmd: "publish", ...packet, ...properties, payload: Buffer.from(packet.payload) };
    case "unsubscribe":
      return { cmd: "unsubscribe", ...packet, ...properties, unsubscriptions: packet.topics };
    case "unsuback":
      return { cmd: "unsuback", ...packet, ...properties, granted: packet.reasonCodes };
    default:
      return { cmd: packet.type, ...packet, ...properties };
  }
}

function fromReference(r: RefPacket): Packet {
  const properties = r.properties ? { properties: propertiesFromReference(r.properties) } : {};
  const reasonCode = r.reasonCode === undefined ? {} : { reasonCode: r.reasonCode };
  switch (r.cmd) {
    case "connect": {
      const { will } = r;
      return {
        type: "connect",
        protocolVersion: need(r, "protocolVersion"),
        clientId: need(r, "clientId"),
        clean: need(r, "clean"),
        keepalive: need(r, "keepalive"),
        ...(r.username !== undefined && { username: r.username }),
        ...(r.password && { password: new Uint8Array(r.password) }),
        ...(will && {
          will: {
            topic: will.topic,
            payload: new Uint8Array(will.payload),
            qos: will.qos,
            retain: will.retain,
            ...(will.properties && { properties: propertiesFromReference(will.properties) }),
          },
        }),
        ...properties,
      };
    }
    case "connack":
      return {
        type: "connack",
        sessionPresent: need(r, "sessionPresent"),
        reasonCode: r.reasonCode ?? need(r, "returnCode"),
        ...properties,
      };
    case "publish": {
      const qos = need(r, "qos");
      return {
        type: "publish",
        topic: need(r, "topic"),
        payload: new Uint8Array(need(r, "payload")),
        qos,
        retain: need(r, "retain"),
        dup: need(r, "dup"),
        ...(qos > 0 && { messageId: need(r, "messageId") }),
        ...properties,
      };
    }
    case "puback":
      return { type: "puback", messageId: need(r, "messageId"), ...reasonCode, ...properties };
    case "subscribe":
      return { type: "subscribe", messageId: need(r, "messageId"), subscriptions: need(r, "subscriptions"), ...properties };
    case "suback":
      return { type: "suback", messageId: need(r, "messageId"), granted: need(r, "granted"), ...properties };
    case "unsubscribe":
      return { type: "unsubscribe", messageId: need(r, "messageId"), topics: need(r, "unsubscriptions"), ...properties };
    case "unsuback":
      return { type: "unsuback", messageId: need(r, "messageId"), reasonCodes: r.granted ?? [], ...properties };
    case "pingreq":
    case "pingresp":
      return { type: r.cmd };
    case "disconnect":
      return { type: "disconnect", ...reasonCode, ...properties };
    default:
      throw new Error(`mqtt-packet parsed an unexpected ${r.cmd}`);
  }
}

function need<K extends keyof RefPacket>(packet: RefPacket, key: K): NonNullable<RefPacket[K]> {
  const value = packet[key];
  if (value === undefined || value === null) throw new Error(`mqtt-packet gave ${packet.cmd} no ${key}`);
  return value;
}

// mqtt-packet reads byte properties as booleans, except maximumQoS.
const booleanInReference = (name: string): boolean =>
  name !== "maximumQoS" && PROPERTY_TABLE[name as keyof Properties]?.wire === "byte";

function propertiesToReference(properties: Properties): RefProperties {
  const out: RefProperties = {};
  for (const [name, value] of Object.entries(properties)) {
    if (name === "userProperties") out[name] = groupPairs(value as [string, string][]);
    else if (booleanInReference(name)) out[name] = value === 1;
    else if (value instanceof Uint8Array) out[name] = Buffer.from(value);
    else out[name] = value;
  }
  return out;
}

function propertiesFromReference(ref: RefProperties): Properties {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(ref)) {
    if (name === "userProperties") out[name] = ungroupPairs(value as Record<string, string | string[]>);
    else if (name === "subscriptionIdentifier") out[name] = [value].flat();
    else if (booleanInReference(name)) out[name] = value ? 1 : 0;
    else if (value instanceof Uint8Array) out[name] = new Uint8Array(value);
    else out[name] = value;
  }
  return out as Properties;
}

function groupPairs(pairs: [string, string][]): Record<string, string[]> {
  const grouped: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [key, value] of pairs) (grouped[key] ??= []).push(value);
  return grouped;
}

function ungroupPairs(grouped: Record<string, string | string[]>): [string, string][] {
  return Object.entries(grouped).flatMap(([key, values]) => [values].flat().map((value): [string, string] => [key, value]));
}
