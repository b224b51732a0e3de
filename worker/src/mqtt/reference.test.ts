import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { decodePacket } from "./decode.js";
import { encodePacket } from "./encode.js";
import { packet } from "./testing/arbitraries.js";
import { referenceGenerate, referenceParse } from "./testing/mqtt-packet-reference.js";

const runs = { numRuns: 400 };

describe.each([4, 5] as const)("MQTT v%i against mqtt-packet", (version) => {
  test("what we encode, mqtt-packet parses to the same packet", () => {
    fc.assert(
      fc.property(packet(version), (p) => {
        expect(referenceParse(encodePacket(p, version), version)).toEqual([p]);
      }),
      runs,
    );
  });

  test("what mqtt-packet generates, we decode to the same packet", () => {
    fc.assert(
      fc.property(packet(version), (p) => {
        expect(decodePacket(referenceGenerate(p, version), version)).toEqual(p);
      }),
      runs,
    );
  });

  test("our own encoding decodes to the same packet", () => {
    fc.assert(
      fc.property(packet(version), (p) => {
        expect(decodePacket(encodePacket(p, version), version)).toEqual(p);
      }),
      runs,
    );
  });
});
