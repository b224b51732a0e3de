import { z } from "zod";
import { type ByteReader, readCapped } from "./capped-read.js";
import { MAX_BATCH_SAMPLES, MAX_SAMPLE_CPUS, type TelemetryBatch } from "./telemetry.js";

/**
 * How a telemetry batch travels. Version 1 is the batch's JSON (first byte `{`). Version 2
 * is the byte 2, then deflate-raw of a columnar JSON: each leaf's path once per batch (`k`), then
 * each leaf's column of values, one per sample (`c`, `null` where that sample lacks the leaf), and
 * which columns hold integers as differences from the value above (`d`). Chosen on measurements
 * (README, "Telemetry on the wire"); the decoded samples equal the encoded ones, absent fields absent.
 */
export const TELEMETRY_WIRE_VERSION = 2;

/**
 * Inflated, a version 2 payload may hold at most this much JSON: a 1 MiB packet must not expand into
 * a device object's memory. The bridge cuts batches by their version 1 size, under the packet limit,
 * and the columnar form of the same samples is at most a little larger.
 */
export const MAX_INFLATED_BYTES = 4 * 1024 * 1024;

/** Version 1 is JSON: an object, perhaps after whitespace, as JSON.parse took it. */
const V1_FIRST_BYTES = new Set([..."{ \t\r\n"].map((char) => char.charCodeAt(0)));

/**
 * The sample schema's own key names, sent as -1 - their index: most of a path is these. Append
 * only: a bridge and a cloud of different releases must read each code alike. A name missing
 * here still travels, as text.
 */
const NAMES = [
  "t", "time", "ram", "swap", "cpus", "gpu", "emc", "engines", "tempsC", "powerMW", "totalPowerMW", "fan", "disk",
  "usedMB", "totalMB", "online", "loadPct", "freqMHz", "now", "avg", "max", "pwmPct", "rpm",
] as const;
const NAME_CODES = new Map<string, number>(NAMES.map((name, index) => [name, -1 - index]));

/**
 * The sample's deepest leaf is three keys down (`cpus.0.loadPct`, `engines.NVENC.freqMHz`, `powerMW.VDD_IN.now`):
 * a longer path is no field of a sample, and each of its keys would be one more object built per row.
 */
const MAX_PATH_KEYS = 3;

/**
 * The most values one batch may place. A real sample's version 1 JSON spends at least 16 bytes per value
 * (every board's fixtures), so a batch the bridge cuts under the 1 MiB packet holds about 65,000 of them:
 * this leaves four times that. With MAX_PATH_KEYS, it bounds the objects decoding builds before any is.
 */
export const MAX_BATCH_VALUES = 262_144;

/** A key: a string as it is, a known name as its negative code; or an index in an array (zero or more, within the bound of a sample's one list). */
// Numbers first: most segments are name codes and indices, and a union pays for each option that fails.
const SegmentSchema = z.union([z.number().int().min(-NAMES.length).max(MAX_SAMPLE_CPUS - 1), z.string()]);
type Segment = z.infer<typeof SegmentSchema>;
type Path = Segment[];

const ColumnarSchema = z.object({
  k: z.array(z.array(SegmentSchema).max(MAX_PATH_KEYS, `a path of more than ${MAX_PATH_KEYS} keys, deeper than any field of a sample`)),
  // Each value is judged later, as the sample's field it becomes: here a column need only be an array.
  c: z.array(z.custom<unknown[]>((column) => Array.isArray(column), "a column is an array")),
  d: z.array(z.number().int().nonnegative()),
});
type Columnar = z.infer<typeof ColumnarSchema>;

// What the web streams both Node 20 and workerd provide; the protocol compiles without DOM types.
interface ByteStream {
  readable: { getReader(): ByteReader };
  writable: { getWriter(): { write(chunk: Uint8Array): Promise<void>; close(): Promise<void> } };
}
interface WebGlobals {
  CompressionStream: new (format: "deflate-raw") => ByteStream;
  DecompressionStream: new (format: "deflate-raw") => ByteStream;
  TextEncoder: new () => { encode(text: string): Uint8Array };
  TextDecoder: new () => { decode(bytes: Uint8Array): string };
}
const web = globalThis as unknown as WebGlobals;

/** A payload that is neither version: the cloud refuses it with this message. */
export class TelemetryWireError extends Error {}

/**
 * Inflates deflate-raw bytes, answering undefined once they would pass `maxBytes`; throws on bytes that are
 * not deflate-raw. The web streams' DecompressionStream by default; a runtime with a synchronous inflater
 * passes it instead (in workerd, node:zlib's costs a fraction of a stream's promises per message).
 */
export type InflateRaw = (deflated: Uint8Array, maxBytes: number) => Uint8Array | undefined | Promise<Uint8Array | undefined>;

const inflateWithStreams: InflateRaw = (deflated, maxBytes) => pipe(new web.DecompressionStream("deflate-raw"), deflated, maxBytes);

/** The bytes the bridge publishes for a batch: always the newest version. */
export async function encodeTelemetryBatch(batch: TelemetryBatch): Promise<Uint8Array> {
  const json = new web.TextEncoder().encode(JSON.stringify(toColumnar(batch)));
  const deflated = await pipe(new web.CompressionStream("deflate-raw"), json, Number.POSITIVE_INFINITY);
  if (deflated === undefined) throw new RangeError("deflate-raw output has no bound here");
  const payload = new Uint8Array(deflated.length + 1);
  payload[0] = TELEMETRY_WIRE_VERSION;
  payload.set(deflated, 1);
  return payload;
}

/**
 * A telemetry payload of either version as the JSON a version 1 bridge would have sent, for the
 * per-sample checks to judge. Throws TelemetryWireError when it is neither.
 */
export async function decodeTelemetryPayload(payload: Uint8Array, inflate: InflateRaw = inflateWithStreams): Promise<unknown> {
  const first = payload[0];
  if (first !== undefined && V1_FIRST_BYTES.has(first)) return parseJson(payload);
  if (first !== TELEMETRY_WIRE_VERSION) {
    throw new TelemetryWireError(`unknown telemetry wire version (first byte ${first ?? "none"}; this cloud reads 1 and 2)`);
  }
  let inflated: Uint8Array | undefined;
  try {
    inflated = await inflate(payload.subarray(1), MAX_INFLATED_BYTES);
  } catch (error) {
    throw new TelemetryWireError(`telemetry version 2 is not deflate-raw data: ${(error as Error).message}`);
  }
  if (inflated === undefined) throw new TelemetryWireError(`telemetry version 2 inflates past ${MAX_INFLATED_BYTES} bytes`);
  const columnar = ColumnarSchema.safeParse(parseJson(inflated));
  if (!columnar.success) {
    const issue = columnar.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` (at ${issue.path.join(".")})` : "";
    throw new TelemetryWireError(`not a version 2 telemetry batch: ${issue?.message ?? "invalid"}${where}`);
  }
  return { samples: fromColumnar(columnar.data) };
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new web.TextDecoder().decode(bytes));
  } catch (error) {
    throw new TelemetryWireError(`telemetry payload is not JSON: ${(error as Error).message}`);
  }
}

function toColumnar({ samples }: TelemetryBatch): Columnar {
  const columns = new Map<string, unknown[]>();
  const k: Path[] = [];
  samples.forEach((sample, row) => {
    for (const [path, value] of leaves(sample, [])) {
      const id = JSON.stringify(path);
      let column = columns.get(id);
      if (column === undefined) {
        column = Array.from({ length: samples.length }, () => null);
        columns.set(id, column);
        k.push(path);
      }
      column[row] = value;
    }
  });
  const c = [...columns.values()];
  const d = c.flatMap((column, index) => (column.every((value) => value === null || smallInteger(value)) ? [index] : []));
  const delta = new Set(d);
  return { k, c: c.map((column, index) => (delta.has(index) ? differences(column as (number | null)[]) : column)), d };
}

/** An integer whose difference from any other such stays exact in a double. */
function smallInteger(value: unknown): boolean {
  return Number.isSafeInteger(value) && Math.abs(value as number) <= 2 ** 52;
}

/** Each integer less the last one present above it: a steady reading becomes zeros. */
function differences(column: (number | null)[]): (number | null)[] {
  let last = 0;
  return column.map((value) => {
    if (value === null) return null;
    const difference = value - last;
    last = value;
    return difference;
  });
}

function sums(column: unknown[], index: number): unknown[] {
  let last = 0;
  return column.map((value) => {
    if (value === null) return null;
    if (!Number.isSafeInteger(value)) throw new TelemetryWireError(`column ${index} holds differences, yet ${JSON.stringify(value)} is no integer`);
    last += value as number;
    return last;
  });
}

/** Every leaf with its path; an empty object or array is a leaf of its own, so that it comes back. */
function* leaves(value: unknown, path: Path): Generator<[Path, unknown]> {
  const entries: [string | number, unknown][] | undefined = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : typeof value === "object" && value !== null
      ? Object.entries(value)
      : undefined;
  if (entries === undefined || entries.length === 0) {
    yield [path, finite(value)];
    return;
  }
  for (const [key, item] of entries) yield* leaves(item, [...path, typeof key === "string" ? (NAME_CODES.get(key) ?? key) : key]);
}

/** JSON would write a NaN as null, which here means absent: send it as text, for the cloud to refuse as v1 did. */
function finite(value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
}

/** The samples a columnar batch holds; every bound is checked before the first sample is built. */
function fromColumnar({ k, c, d }: Columnar): unknown[] {
  if (c.length !== k.length) throw new TelemetryWireError(`${c.length} columns for ${k.length} paths`);
  const height = c[0]?.length ?? 0;
  if (height > MAX_BATCH_SAMPLES) throw new TelemetryWireError(`a version 2 batch of ${height} samples, more than ${MAX_BATCH_SAMPLES}`);
  let values = 0;
  c.forEach((column, index) => {
    if (column.length !== height) throw new TelemetryWireError(`column ${index} holds ${column.length} values, not ${height}`);
    for (const value of column) if (value !== null) values += 1;
  });
  if (values > MAX_BATCH_VALUES) throw new TelemetryWireError(`a version 2 batch of ${values} values, more than ${MAX_BATCH_VALUES}`);
  const delta = new Set(d);
  const columns = c.map((column, index) => (delta.has(index) ? sums(column, index) : column));
  return Array.from({ length: height }, (_, row) => {
    const sample: Record<string, unknown> = {};
    columns.forEach((column, index) => {
      const value = column[row];
      const path = k[index];
      if (value !== null && value !== undefined && path !== undefined) place(sample, path.map(named), value);
    });
    return sample;
  });
}

function named(segment: Segment): string | number {
  return typeof segment === "number" && segment < 0 ? (NAMES[-1 - segment] as string) : segment;
}

function place(root: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let node: unknown = root;
  path.forEach((key, depth) => {
    const container = node as Record<string | number, unknown>;
    const next = path[depth + 1];
    const existing = Object.hasOwn(container, key) ? container[key] : undefined;
    if (existing !== undefined && (typeof existing !== "object" || existing === null)) {
      throw new TelemetryWireError(`path ${JSON.stringify(path)} runs through a value`);
    }
    const leaf = depth === path.length - 1;
    const child = leaf ? value : (existing ?? (typeof next === "number" ? [] : {}));
    // A container already placed stays as it is: only new keys and leaves are written (this runs once per value decoded).
    if (leaf || existing === undefined) {
      // defineProperty for "__proto__" only: it stays a key, as JSON.parse keeps it; plain assignment is much faster.
      if (key === "__proto__") Object.defineProperty(container, key, { value: child, enumerable: true, writable: true, configurable: true });
      else container[key] = child;
    }
    node = child;
  });
}

/** The stream's output for `input`, or undefined once past `maxBytes`. */
async function pipe(stream: ByteStream, input: Uint8Array, maxBytes: number): Promise<Uint8Array | undefined> {
  const writer = stream.writable.getWriter();
  // The writes settle as the reader drains; their failure shows on the reader too.
  writer.write(input).catch(() => undefined);
  writer.close().catch(() => undefined);
  return readCapped(stream.readable.getReader(), maxBytes);
}
