import fc from "fast-check";
import { encodePacket } from "../encode.js";
import { MqttProtocolError } from "../errors.js";
import type { Packet, ProtocolVersion } from "../packets.js";
import { PacketReader, type PacketReaderOptions } from "../reader.js";
import { session } from "./arbitraries.js";
import { concat } from "./bytes.js";

// Shared by the property tests (robustness.test.ts) and the fuzz script (scripts/fuzz.ts).

/** Small enough that random lengths often trip the limit. */
export const hostile: PacketReaderOptions = { maxPacketBytes: 4096, maxConnectBytes: 512 };

export type Outcome = { packets: Packet[] } | { reasonCode: number };

/**
 * Feeds `bytes` in chunks of the given sizes (cycled), rebuilding the reader from its
 * snapshot wherever `evictions` says so. Anything but an MqttProtocolError escapes.
 */
export function feed(bytes: Uint8Array, sizes: number[], evictions: boolean[] = [false], options = hostile): Outcome {
  let reader = new PacketReader(options);
  const packets: Packet[] = [];
  try {
    for (let offset = 0, i = 0; offset < bytes.length; i++) {
      const size = sizes[i % sizes.length] ?? bytes.length;
      packets.push(...reader.push(bytes.subarray(offset, offset + size)));
      offset += size;
      if (evictions[i % evictions.length]) reader = new PacketReader(options, reader.snapshot());
    }
  } catch (error) {
    if (error instanceof MqttProtocolError) return { reasonCode: error.reasonCode };
    throw error;
  }
  return { packets };
}

/** Frame sizes, and after which frames the object is evicted. */
export const chunking = fc.tuple(
  fc.array(fc.integer({ min: 1, max: 24 }), { minLength: 1, maxLength: 6 }),
  fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
);

export const mutation = fc.record({
  kind: fc.constantFrom("flip", "set", "insert", "delete", "truncate"),
  at: fc.nat(),
  value: fc.integer({ min: 0, max: 0xff }),
});
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

export function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  const out = [...bytes];
  for (const { kind, at, value } of mutations) {
    const i = at % (out.length + 1);
    if (kind === "flip") out[i] = (out[i] ?? 0) ^ (1 << value % 8);
    else if (kind === "set") out[i] = value;
    else if (kind === "insert") out.splice(i, 0, value);
    else if (kind === "delete") out.splice(i, 1);
    else out.length = i;
  }
  return Uint8Array.from(out);
}

export const encode = (packets: Packet[], version: ProtocolVersion): Uint8Array => concat(packets.map((p) => encodePacket(p, version)));
export const encodedSession = (version: ProtocolVersion) => session(version).map((packets) => encode(packets, version));
