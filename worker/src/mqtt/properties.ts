import { ByteCursor } from "./byte-cursor.js";
import { ByteWriter } from "./byte-writer.js";
import { malformed, protocolError } from "./errors.js";

/** How each MQTT 5 property value travels on the wire, and what it becomes in JS. */
export interface WireValues {
  /** Every byte property in MQTT 5.0 is a 0-or-1 switch (Maximum QoS included). */
  byte: 0 | 1;
  u16: number;
  u32: number;
  varint: number;
  utf8: string;
  binary: Uint8Array;
  pair: [string, string];
}
export type WireType = keyof WireValues;

interface PropertySpec {
  readonly id: number;
  readonly wire: WireType;
  /** Only these may appear more than once; they decode to arrays. */
  readonly repeatable?: true;
}

/** MQTT 5.0 section 2.2.2.2: the single source for ids, names and wire types. */
export const PROPERTY_TABLE = {
  payloadFormatIndicator: { id: 0x01, wire: "byte" },
  messageExpiryInterval: { id: 0x02, wire: "u32" },
  contentType: { id: 0x03, wire: "utf8" },
  responseTopic: { id: 0x08, wire: "utf8" },
  correlationData: { id: 0x09, wire: "binary" },
  subscriptionIdentifier: { id: 0x0b, wire: "varint", repeatable: true },
  sessionExpiryInterval: { id: 0x11, wire: "u32" },
  assignedClientIdentifier: { id: 0x12, wire: "utf8" },
  serverKeepAlive: { id: 0x13, wire: "u16" },
  authenticationMethod: { id: 0x15, wire: "utf8" },
  authenticationData: { id: 0x16, wire: "binary" },
  requestProblemInformation: { id: 0x17, wire: "byte" },
  willDelayInterval: { id: 0x18, wire: "u32" },
  requestResponseInformation: { id: 0x19, wire: "byte" },
  responseInformation: { id: 0x1a, wire: "utf8" },
  serverReference: { id: 0x1c, wire: "utf8" },
  reasonString: { id: 0x1f, wire: "utf8" },
  receiveMaximum: { id: 0x21, wire: "u16" },
  topicAliasMaximum: { id: 0x22, wire: "u16" },
  topicAlias: { id: 0x23, wire: "u16" },
  maximumQoS: { id: 0x24, wire: "byte" },
  retainAvailable: { id: 0x25, wire: "byte" },
  userProperties: { id: 0x26, wire: "pair", repeatable: true },
  maximumPacketSize: { id: 0x27, wire: "u32" },
  wildcardSubscriptionAvailable: { id: 0x28, wire: "byte" },
  subscriptionIdentifiersAvailable: { id: 0x29, wire: "byte" },
  sharedSubscriptionAvailable: { id: 0x2a, wire: "byte" },
} as const satisfies Record<string, PropertySpec>;

type Table = typeof PROPERTY_TABLE;
type ValueOf<S extends PropertySpec> = S extends { repeatable: true } ? WireValues[S["wire"]][] : WireValues[S["wire"]];

/** MQTT 5 properties, derived from PROPERTY_TABLE. Repeatable ones (userProperties, subscriptionIdentifier) are arrays. */
export type Properties = { -readonly [K in keyof Table]?: ValueOf<Table[K]> };

type PropertyName = keyof Table;

const wire: { [W in WireType]: { read(c: ByteCursor): WireValues[W]; write(w: ByteWriter, v: WireValues[W]): void } } = {
  byte: {
    read: (c) => {
      const value = c.u8();
      if (value !== 0 && value !== 1) throw protocolError(`byte property must be 0 or 1, got ${value}`);
      return value;
    },
    write: (w, v) => w.u8(v),
  },
  u16: { read: (c) => c.u16(), write: (w, v) => w.u16(v) },
  u32: { read: (c) => c.u32(), write: (w, v) => w.u32(v) },
  varint: { read: (c) => c.varint(), write: (w, v) => w.varint(v) },
  utf8: { read: (c) => c.utf8(), write: (w, v) => w.utf8(v) },
  binary: { read: (c) => c.binary(), write: (w, v) => w.binary(v) },
  pair: {
    read: (c) => [c.utf8(), c.utf8()],
    write: (w, [key, value]) => {
      w.utf8(key);
      w.utf8(value);
    },
  },
};

// The generic codec only sees a property's wire type at run time, so values are handled as `unknown` here.
interface Codec {
  read(c: ByteCursor): unknown;
  write(w: ByteWriter, v: unknown): void;
}
const names = Object.keys(PROPERTY_TABLE) as PropertyName[];
const byId = new Map<number, PropertyName>(names.map((name) => [PROPERTY_TABLE[name].id, name]));
const codecOf = (name: PropertyName): Codec => wire[PROPERTY_TABLE[name].wire] as Codec;
const isRepeatable = (name: PropertyName): boolean => "repeatable" in PROPERTY_TABLE[name];

/** Writes the property length and every property set in `properties`, in table order. */
export function writeProperties(out: ByteWriter, properties: Properties = {}): void {
  const block = new ByteWriter();
  for (const name of names) {
    const value: unknown = properties[name];
    if (value === undefined) continue;
    const values: unknown[] = isRepeatable(name) ? (value as unknown[]) : [value];
    for (const item of values) {
      block.varint(PROPERTY_TABLE[name].id);
      codecOf(name).write(block, item);
    }
  }
  out.varint(block.length);
  out.bytes(block.finish());
}

/** Reads a property length and its properties; an empty block gives undefined. */
export function readProperties(input: ByteCursor): Properties | undefined {
  const block = input.sub(input.varint());
  if (block.remaining === 0) return undefined;
  const result: Record<string, unknown> = {};
  while (block.remaining > 0) {
    const id = block.varint();
    const name = byId.get(id);
    if (name === undefined) throw malformed(`unknown property id 0x${id.toString(16)}`);
    const value = codecOf(name).read(block);
    if (isRepeatable(name)) {
      const list = (result[name] ??= []) as unknown[];
      list.push(value);
    } else if (name in result) {
      throw protocolError(`property ${name} included more than once`);
    } else {
      result[name] = value;
    }
  }
  return result as Properties;
}
