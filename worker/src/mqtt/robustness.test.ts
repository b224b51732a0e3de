import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { session } from "./testing/arbitraries.js";
import { concat } from "./testing/bytes.js";
import { chunking, encode, encodedSession, feed, mutate, mutation } from "./testing/hostile-input.js";

const runs = { numRuns: 500 };

/** However the stream is cut into frames, and however often the object is evicted, the outcome is the same. */
function checkStream(bytes: Uint8Array, sizes: number[], evictions: boolean[]): void {
  expect(feed(bytes, sizes, evictions)).toEqual(feed(bytes, [bytes.length]));
}

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
