import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { encodePacket } from "./encode.js";
import { MqttProtocolError } from "./errors.js";
import type { Packet, ProtocolVersion } from "./packets.js";
import { PacketReader } from "./reader.js";
import { session } from "./testing/arbitraries.js";
import { concat } from "./testing/bytes.js";

// Small enough that random lengths often trip the limit.
const hostile = { maxPacketBytes: 4096 };
const runs = { numRuns: 500 };

type Outcome = { packets: Packet[] } | { reasonCode: number };

/**
 * Feeds `bytes` in chunks of the given sizes (cycled), rebuilding the reader from its
 * snapshot wherever `evictions` says so. Anything but an MqttProtocolError escapes and fails the property.
 */
function feed(bytes: Uint8Array, sizes: number[], evictions: boolean[] = [false], options = hostile): Outcome {
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

/** However the stream is cut into frames, and however often the object is evicted, the outcome is the same. */
function checkStream(bytes: Uint8Array, sizes: number[], evictions: boolean[]): void {
  expect(feed(bytes, sizes, evictions)).toEqual(feed(bytes, [bytes.length]));
}

const chunking = fc.tuple(
  fc.array(fc.integer({ min: 1, max: 24 }), { minLength: 1, maxLength: 6 }),
  fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
);

const mutation = fc.record({
  kind: fc.constantFrom("flip", "set", "insert", "delete", "truncate"),
  at: fc.nat(),
  value: fc.integer({ min: 0, max: 0xff }),
});
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
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

const encode = (packets: Packet[], version: ProtocolVersion): Uint8Array => concat(packets.map((p) => encodePacket(p, version)));
const encodedSession = (version: ProtocolVersion) => session(version).map((packets) => encode(packets, version));

describe("PacketReader on hostile input only returns packets or throws MqttProtocolError", () => {
  test("random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), chunking, (bytes, [sizes, evictions]) => checkStream(bytes, sizes, evictions)),
      runs,
    );
  });

  test.each([4, 5] as const)("random bytes after a valid v%i CONNECT", (version) => {
    const input = fc.tuple(encodedSession(version), fc.uint8Array({ minLength: 1, maxLength: 300 }));
    fc.assert(
      fc.property(input, chunking, ([valid, noise], [sizes, evictions]) => {
        checkStream(concat([valid, noise]), sizes, evictions);
      }),
      runs,
    );
  });

  test.each([4, 5] as const)("mutated v%i sessions", (version) => {
    const input = fc.tuple(encodedSession(version), fc.array(mutation, { minLength: 1, maxLength: 4 }));
    fc.assert(
      fc.property(input, chunking, ([valid, mutations], [sizes, evictions]) => {
        checkStream(mutate(valid, mutations), sizes, evictions);
      }),
      runs,
    );
  });

  test.each([4, 5] as const)("valid v%i sessions come out whole however they are cut", (version) => {
    fc.assert(
      fc.property(fc.tuple(session(version), chunking), ([packets, [sizes, evictions]]) => {
        expect(feed(encode(packets, version), sizes, evictions, { maxPacketBytes: 1 << 20 })).toEqual({ packets });
      }),
      runs,
    );
  });
});
