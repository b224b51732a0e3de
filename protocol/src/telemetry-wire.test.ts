/// <reference types="node" />
import { describe, expect, it } from "vitest";
import { MAX_BATCH_SAMPLES, MAX_SAMPLE_CPUS, type TimedSample } from "./telemetry.js";
import {
  decodeTelemetryPayload,
  encodeTelemetryBatch,
  MAX_BATCH_VALUES,
  MAX_INFLATED_BYTES,
  TELEMETRY_WIRE_VERSION,
  TelemetryWireError,
} from "./telemetry-wire.js";

const T = Date.parse("2026-12-04T12:00:00Z");

/** Samples that differ in which optional fields they hold, as the bridge's do across boards and reads. */
const UNEVEN: TimedSample[] = [
  {
    t: T,
    time: "2026-12-04T12:00:00",
    ram: { usedMB: 18207, totalMB: 62841 },
    cpus: [{ loadPct: 14, freqMHz: 2188 }, { online: false }, {}],
    gpu: {},
    engines: { NVENC: { online: true, loadPct: 79, freqMHz: 166 }, NVDEC: { online: false }, ["__proto__"]: { online: false } },
    tempsC: { cpu: 52.562, "soc.2": -3.25, tj: 0.1 + 0.2 },
    powerMW: { VDD_GPU_SOC: { now: 2412, avg: 2411.5 } },
  },
  { t: T + 1_000, cpus: [], tempsC: {}, totalPowerMW: 8726, fan: { rpm: 0 }, disk: { usedMB: 0.5, totalMB: 57_000 } },
  { t: T + 2_000, ram: { usedMB: 18_300, totalMB: 62841 }, cpus: [{ loadPct: 5 }], powerMW: { VDD_GPU_SOC: { now: -1, max: 9_007_199_254_740_991 } } },
];

/** A version 2 payload of any columnar JSON, as a hostile device could write it. */
async function deflate(json: unknown): Promise<Uint8Array> {
  const stream = new Blob([JSON.stringify(json)]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return new Uint8Array([2, ...new Uint8Array(await new Response(stream).arrayBuffer())]);
}

describe("telemetry on the wire", () => {
  it("gives back exactly the samples it was given, absent fields absent, empty ones empty", async () => {
    const payload = await encodeTelemetryBatch({ samples: UNEVEN });
    expect(payload[0]).toBe(TELEMETRY_WIRE_VERSION);
    const decoded = await decodeTelemetryPayload(payload);
    expect(decoded).toStrictEqual({ samples: UNEVEN });
    // The engine named __proto__ is a key, as JSON.parse keeps it, not the object's prototype.
    expect(Object.keys((decoded as { samples: TimedSample[] }).samples[0]?.engines ?? {})).toContain("__proto__");
  });

  it("sends a batch with no samples, and a NaN as text the schema refuses rather than as an absent field", async () => {
    expect(await decodeTelemetryPayload(await encodeTelemetryBatch({ samples: [] }))).toStrictEqual({ samples: [] });
    const decoded = await decodeTelemetryPayload(await encodeTelemetryBatch({ samples: [{ t: T, tempsC: { cpu: Number.NaN } }] }));
    expect(decoded).toStrictEqual({ samples: [{ t: T, tempsC: { cpu: "NaN" } }] });
  });

  it("still reads version 1, the batch's JSON", async () => {
    const v1 = new TextEncoder().encode(JSON.stringify({ samples: UNEVEN }));
    expect(await decodeTelemetryPayload(v1)).toStrictEqual(JSON.parse(JSON.stringify({ samples: UNEVEN })));
    expect(await decodeTelemetryPayload(new TextEncoder().encode('\n { "samples": [] }'))).toStrictEqual({ samples: [] });
  });

  it("refuses, saying why, a payload of another version, one that does not inflate, and one that inflates too far", async () => {
    await expect(decodeTelemetryPayload(new Uint8Array([3, 1, 2]))).rejects.toThrow(/unknown telemetry wire version \(first byte 3/);
    await expect(decodeTelemetryPayload(new Uint8Array([2, 0xff, 0xff, 0xff]))).rejects.toThrow(TelemetryWireError);
    const valid = await encodeTelemetryBatch({ samples: UNEVEN });
    await expect(decodeTelemetryPayload(valid.subarray(0, valid.length - 4))).rejects.toThrow(TelemetryWireError);
    const zeros = new Uint8Array(MAX_INFLATED_BYTES + 1);
    const stream = new Blob([zeros]).stream().pipeThrough(new CompressionStream("deflate-raw"));
    const bomb = new Uint8Array([2, ...new Uint8Array(await new Response(stream).arrayBuffer())]);
    await expect(decodeTelemetryPayload(bomb)).rejects.toThrow(/inflates past/);
  });

  it("refuses columns that do not line up with their paths", async () => {
    await expect(decodeTelemetryPayload(await deflate({ k: [[-1]], c: [[1], [2]], d: [] }))).rejects.toThrow(/2 columns for 1 paths/);
    await expect(decodeTelemetryPayload(await deflate({ k: [[-1], [-2]], c: [[1], [2, 3]], d: [] }))).rejects.toThrow(/column 1 holds 2 values/);
    await expect(decodeTelemetryPayload(await deflate({ k: [[-1]], c: [["a"]], d: [0] }))).rejects.toThrow(/no integer/);
    await expect(decodeTelemetryPayload(await deflate({ k: [[-5, 5_000]], c: [[1]], d: [] }))).rejects.toThrow(/not a version 2 telemetry batch/);
  });

  it("refuses a batch deeper, taller or fuller than any real one, saying why, before building its samples", async () => {
    // 74 bytes that built a path of 1,000 keys for each of 10,000 rows: over 1 GB of objects.
    const deep = await deflate({ k: [Array.from({ length: 1_000 }, () => 0)], c: [Array.from({ length: 10_000 }, () => 1)], d: [] });
    expect(deep.length).toBeLessThan(100);
    await expect(decodeTelemetryPayload(deep)).rejects.toThrow(
      new TelemetryWireError("not a version 2 telemetry batch: a path of more than 3 keys, deeper than any field of a sample (at k.0)"),
    );
    const tall = await deflate({ k: [[-1]], c: [Array.from({ length: MAX_BATCH_SAMPLES + 1 }, () => 0)], d: [0] });
    await expect(decodeTelemetryPayload(tall)).rejects.toThrow(
      new TelemetryWireError(`a version 2 batch of ${MAX_BATCH_SAMPLES + 1} samples, more than ${MAX_BATCH_SAMPLES}`),
    );
    // 300 sensors in each of 1,000 rows: each a path the sample has, too many values together.
    const sensors = 300;
    const full = await deflate({
      k: Array.from({ length: sensors }, (_, i) => [-9, `s${i}`]),
      c: Array.from({ length: sensors }, () => Array.from({ length: 1_000 }, () => 40)),
      d: [],
    });
    await expect(decodeTelemetryPayload(full)).rejects.toThrow(
      new TelemetryWireError(`a version 2 batch of ${sensors * 1_000} values, more than ${MAX_BATCH_VALUES}`),
    );
    const farIndex = await deflate({ k: [[-5, MAX_SAMPLE_CPUS, -17]], c: [[5]], d: [] });
    await expect(decodeTelemetryPayload(farIndex)).rejects.toThrow(/^not a version 2 telemetry batch: .* \(at k\.0\.1\)$/);
  });

  it("carries a discrete-GPU server's samples: 256 CPUs and four GPUs", async () => {
    const samples: TimedSample[] = Array.from({ length: 5 }, (_, i) => ({
      t: T + i * 1_000,
      cpus: Array.from({ length: 256 }, (_, cpu) => ({ loadPct: (cpu + i) % 100, freqMHz: 3_000 })),
      tempsC: { gpu0: 45, gpu1: 45, gpu2: 44, gpu3: 45 },
      powerMW: { GPU0: { now: 58_980 }, GPU1: { now: 62_350 }, GPU2: { now: 59_570 }, GPU3: { now: 61_760 } },
    }));
    expect(await decodeTelemetryPayload(await encodeTelemetryBatch({ samples }))).toEqual({ samples });
  });

  it("still carries the largest batches a bridge cuts: the most samples, and 1 MiB of an AGX Orin's fullest samples", async () => {
    const most: TimedSample[] = Array.from({ length: MAX_BATCH_SAMPLES }, (_, i) => ({
      t: T + i,
      cpus: [{ loadPct: i % 100, freqMHz: 2188 }, { online: false }],
      powerMW: { VDD_IN: { now: i } },
    }));
    expect(await decodeTelemetryPayload(await encodeTelemetryBatch({ samples: most }))).toStrictEqual({ samples: most });

    const orin = (i: number): TimedSample => ({
      t: T + i * 1_000,
      time: "2026-12-04T12:00:00",
      ram: { usedMB: 18_207 + i, totalMB: 62_841 },
      swap: { usedMB: 0, totalMB: 31_420 },
      cpus: Array.from({ length: 12 }, (_, c) => ({ loadPct: (i + c) % 100, freqMHz: 2188 })),
      gpu: { loadPct: i % 100, freqMHz: 1300 },
      emc: { loadPct: 3, freqMHz: 3199 },
      engines: Object.fromEntries(["NVENC", "NVDEC", "NVJPG", "NVJPG1", "VIC", "OFA", "APE", "NVDLA0", "NVDLA1", "PVA0"].map((name) => [name, { online: true, freqMHz: 166, loadPct: 5 }])),
      tempsC: { cpu: 52.5, soc0: 49, soc1: 49.6, soc2: 48.4, tj: 52.5, gpu: 50, cv0: -256 },
      powerMW: { VDD_GPU_SOC: { now: 2412, avg: 2411 }, VDD_CPU_CV: { now: 1607, avg: 1607 }, VIN_SYS_5V0: { now: 4707, avg: 4707 } },
      totalPowerMW: 8726,
      fan: { pwmPct: 34 },
    });
    const sampleBytes = JSON.stringify(orin(0)).length + 1;
    const mebibyte = Array.from({ length: Math.floor((1 << 20) / sampleBytes) }, (_, i) => orin(i));
    expect(await decodeTelemetryPayload(await encodeTelemetryBatch({ samples: mebibyte }))).toStrictEqual({ samples: mebibyte });
  });
});
