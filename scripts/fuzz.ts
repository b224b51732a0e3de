/**
 * `npm run fuzz`: hundreds of thousands of generated and mutated inputs against the two parsers
 * that take input from outside, the MQTT codec (what a device sends) and the selector parser
 * (what a caller sends). Too slow for CI; the property tests run a few hundred of each.
 * FUZZ_RUNS sets the runs per property (default 25,000); FUZZ_SEED replays a run.
 */
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { ADVERSARIAL_DEVICE, ADVERSARIAL_SELECTORS, ADVERSARIAL_VALUE } from "../worker/src/fleet-ops/selector-adversarial.js";
import { parseSelector, SelectorError, selects } from "../worker/src/fleet-ops/selector.js";
import type { ProtocolVersion } from "../worker/src/mqtt/index.js";
import { session } from "../worker/src/mqtt/testing/arbitraries.js";
import { concat } from "../worker/src/mqtt/testing/bytes.js";
import { chunking, encode, encodedSession, feed, mutate, mutation } from "../worker/src/mqtt/testing/hostile-input.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 25_000);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

/** Equal as data: the decoder builds property bags without a prototype. */
const same = (a: unknown, b: unknown) => isDeepStrictEqual(structuredClone(a), structuredClone(b));

/** However the stream is cut and the reader evicted, the same packets or the same MqttProtocolError (anything else throws). */
function sameOutcome(bytes: Uint8Array, sizes: number[], evictions: boolean[]): boolean {
  return same(feed(bytes, sizes, evictions), feed(bytes, [bytes.length]));
}

const versions: ProtocolVersion[] = [4, 5];

/** Properties by name; each runs RUNS times. */
const properties: Array<[string, fc.IRawProperty<unknown[]>]> = [
  ["MQTT: random bytes", fc.property(fc.uint8Array({ maxLength: 600 }), chunking, (bytes, [sizes, evictions]) => sameOutcome(bytes, sizes, evictions))],
  ...versions.flatMap((version): Array<[string, fc.IRawProperty<unknown[]>]> => [
    [
      `MQTT ${version}: random bytes after a valid session`,
      fc.property(encodedSession(version), fc.uint8Array({ minLength: 1, maxLength: 300 }), chunking, (valid, noise, [sizes, evictions]) =>
        sameOutcome(concat([valid, noise]), sizes, evictions),
      ),
    ],
    [
      `MQTT ${version}: mutated sessions`,
      fc.property(encodedSession(version), fc.array(mutation, { minLength: 1, maxLength: 8 }), chunking, (valid, mutations, [sizes, evictions]) =>
        sameOutcome(mutate(valid, mutations), sizes, evictions),
      ),
    ],
    [
      `MQTT ${version}: valid sessions come out whole`,
      fc.property(session(version), chunking, (packets, [sizes, evictions]) =>
        same(feed(encode(packets, version), sizes, evictions, { maxPacketBytes: 1 << 20 }), { packets }),
      ),
    ],
  ]),
  ["selector: random text", fc.property(fc.string({ unit: fc.constantFrom(..."ab:,-* \t*.idtagbrdonlinejp6_$\u0000é"), maxLength: 80 }), parsesCleanly)],
  ["selector: mutated valid selectors", fc.property(fc.constantFrom(...validSelectors()), fc.array(textMutation(), { maxLength: 6 }), (text, edits) => parsesCleanly(edits.reduce(applyEdit, text)))],
  ["selector: random wildcard patterns against 63-character values", fc.property(fc.string({ unit: fc.constantFrom("a", "b", "*"), minLength: 1, maxLength: 64 }), (pattern) => parsesCleanly(`id:${pattern} tag:${pattern}`))],
];

function validSelectors(): string[] {
  return ["*", "tag:warehouse board:orin-nano online:true jetpack:6*", "-tag:lab id:cam-*", "board:nano,xavier-nx l4t:36.4", ...ADVERSARIAL_SELECTORS];
}

function textMutation() {
  return fc.record({ at: fc.nat(), kind: fc.constantFrom("insert", "delete", "replace"), char: fc.constantFrom(..."*:,- a6.$\n") });
}

function applyEdit(text: string, edit: { at: number; kind: string; char: string }): string {
  const i = edit.at % (text.length + 1);
  if (edit.kind === "insert") return text.slice(0, i) + edit.char + text.slice(i);
  if (edit.kind === "delete") return text.slice(0, i) + text.slice(i + 1);
  return text.slice(0, i) + edit.char + text.slice(i + 1);
}

/** Parses or throws SelectorError only; a parsed selector's text parses to itself and it matches promptly. */
function parsesCleanly(text: string): boolean {
  try {
    const selector = parseSelector(text);
    if (parseSelector(selector.text).text !== selector.text) return false;
    selects(selector, ADVERSARIAL_DEVICE);
    return true;
  } catch (error) {
    if (error instanceof SelectorError) return true;
    throw error;
  }
}

let total = 0;
let failed = 0;
const started = Date.now();
for (const [name, property] of properties) {
  const result = await fc.check(property, { numRuns: RUNS, seed });
  total += result.numRuns;
  if (result.failed) failed++;
  process.stdout.write(`${result.failed ? "FAIL" : "ok  "} ${name}: ${result.numRuns} inputs${result.failed ? `\n${fc.defaultReportMessage(result)}` : ""}\n`);
}
process.stdout.write(`fuzz: ${total} inputs, ${failed} failing properties, seed ${seed}, ${Math.round((Date.now() - started) / 1000)} s\n`);
process.exitCode = failed > 0 ? 1 : 0;
