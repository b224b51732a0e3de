import fc from "fast-check";
import type { Packet, Properties, ProtocolVersion, QoS, Subscription, Will } from "../packets.js";
import { PROPERTY_TABLE, type WireType, type WireValues } from "../properties.js";

// Packets are generated in the form they decode to in their version, so every round trip is an equality.

// MQTT strings may hold any code point but U+0000.
const text = (minLength = 0): fc.Arbitrary<string> =>
  fc.string({ unit: "binary", minLength, maxLength: 12 }).filter((s) => !s.includes("\0"));
const bytes = fc.uint8Array({ maxLength: 32 });
const packetId = fc.integer({ min: 1, max: 0xffff });
const qos = fc.constantFrom<QoS>(0, 1, 2);
const some = <T>(item: fc.Arbitrary<T>): fc.Arbitrary<T[]> => fc.array(item, { minLength: 1, maxLength: 4 });

const wireValue: { [W in WireType]: fc.Arbitrary<WireValues[W]> } = {
  byte: fc.constantFrom(0, 1),
  u16: fc.integer({ min: 0, max: 0xffff }),
  u32: fc.integer({ min: 0, max: 0xffff_ffff }),
  varint: fc.integer({ min: 1, max: 268_435_455 }),
  utf8: text(),
  binary: bytes,
  pair: fc.tuple(text(), text()),
};

// User properties come grouped by key, the only order mqtt-packet's key-to-values record can express;
// values are non-empty because its parser overwrites a repeated key whose first value is "".
const userProperties = fc
  .uniqueArray(fc.tuple(text(), some(text(1))), { selector: ([key]) => key, minLength: 1, maxLength: 3 })
  .map((groups) => groups.flatMap(([key, values]) => values.map((value): [string, string] => [key, value])));

const propertyFields = Object.fromEntries(
  Object.entries(PROPERTY_TABLE).map(([name, spec]) => {
    const value: fc.Arbitrary<unknown> = wireValue[spec.wire];
    if (name === "userProperties") return [name, userProperties];
    return [name, "repeatable" in spec ? some(value) : value];
  }),
) as { [K in keyof Properties]-?: fc.Arbitrary<NonNullable<Properties[K]>> };

/** Any mix of properties, or none (decoders leave out an empty property block). */
const properties: fc.Arbitrary<Properties | undefined> = fc
  .record(propertyFields, { requiredKeys: [] })
  .map((p) => (Object.keys(p).length > 0 ? p : undefined));

/** Reason codes mqtt-packet's parser accepts, per packet (MQTT 5.0 section 3). */
const reason = {
  puback: fc.constantFrom(0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99),
  suback: fc.constantFrom(0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2),
  unsuback: fc.constantFrom(0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91),
  disconnect: fc.constantFrom(
    ...[0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f],
    ...[0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2],
  ),
};

type Fields<T> = { [K in keyof T]: fc.Arbitrary<T[K]> };

/** `common` fields; in MQTT 5 also the `v5` fields and properties. */
function versioned<T extends object, U extends object>(
  version: ProtocolVersion,
  common: Fields<T>,
  v5: Fields<U>,
): fc.Arbitrary<T | (T & U & { properties?: Properties })> {
  const base = fc.record<T>(common);
  if (version === 4) return base;
  return fc.tuple(base, fc.record<U>(v5), properties).map(([a, b, p]) => ({ ...a, ...b, ...(p && { properties: p }) }));
}

const typed =
  <T extends Packet["type"]>(type: T) =>
  <F extends object>(fields: F): { type: T } & F => ({ type, ...fields });

function will(version: ProtocolVersion): fc.Arbitrary<Will> {
  const common: Fields<Omit<Will, "properties">> = { topic: text(1), payload: bytes, qos, retain: fc.boolean() };
  return versioned(version, common, {});
}

function connect(version: ProtocolVersion): fc.Arbitrary<Packet> {
  const fields = versioned(version, { clientId: text(), clean: fc.boolean(), keepalive: fc.integer({ min: 0, max: 0xffff }) }, {});
  // mqtt-packet sends a password only with a user name.
  const login = fc.record({ username: text(), password: bytes }, { requiredKeys: ["username"] });
  return fc
    .tuple(fields, fc.option(will(version), { nil: undefined }), fc.option(login, { nil: undefined }))
    .map(([f, w, credentials]) => ({ type: "connect" as const, protocolVersion: version, ...f, ...(w && { will: w }), ...credentials }))
    // mqtt-packet refuses to persist a session without a client id.
    .filter((p) => p.clientId !== "" || p.clean);
}

function publish(version: ProtocolVersion): fc.Arbitrary<Packet> {
  return fc
    .tuple(versioned(version, { topic: text(), payload: bytes, qos, retain: fc.boolean(), dup: fc.boolean() }, {}), packetId)
    .map(([fields, messageId]) => ({ type: "publish" as const, ...fields, ...(fields.qos > 0 && { messageId }) }));
}

function subscription(version: ProtocolVersion): fc.Arbitrary<Subscription> {
  const common = { topic: text(), qos };
  if (version === 4) return fc.record(common);
  return fc.record({ ...common, nl: fc.boolean(), rap: fc.boolean(), rh: fc.constantFrom<0 | 1 | 2>(0, 1, 2) });
}

/** Every packet type the codec speaks. */
export function packet(version: ProtocolVersion): fc.Arbitrary<Packet> {
  const v5 = version === 5;
  const connackCode = fc.integer({ min: 0, max: v5 ? 0xff : 5 });
  const subackCode = v5 ? reason.suback : fc.constantFrom(0, 1, 2, 0x80);
  // 3.1.1 UNSUBACK carries no reason codes, so it decodes with none.
  const unsubackCodes = v5 ? some(reason.unsuback) : fc.constant<number[]>([]);
  return fc.oneof(
    connect(version),
    versioned(version, { sessionPresent: fc.boolean(), reasonCode: connackCode }, {}).map(typed("connack")),
    publish(version),
    versioned(version, { messageId: packetId }, { reasonCode: reason.puback }).map(typed("puback")),
    versioned(version, { messageId: packetId, subscriptions: some(subscription(version)) }, {}).map(typed("subscribe")),
    versioned(version, { messageId: packetId, granted: some(subackCode) }, {}).map(typed("suback")),
    versioned(version, { messageId: packetId, topics: some(text()) }, {}).map(typed("unsubscribe")),
    versioned(version, { messageId: packetId, reasonCodes: unsubackCodes }, {}).map(typed("unsuback")),
    fc.constant({ type: "pingreq" as const }),
    fc.constant({ type: "pingresp" as const }),
    versioned(version, {}, { reasonCode: reason.disconnect }).map(typed("disconnect")),
  );
}

/** A CONNECT followed by other packets: a valid stream from a client. */
export function session(version: ProtocolVersion): fc.Arbitrary<Packet[]> {
  const rest = fc.array(packet(version).filter((p) => p.type !== "connect"), { maxLength: 5 });
  return fc.tuple(connect(version), rest).map(([first, others]) => [first, ...others]);
}
