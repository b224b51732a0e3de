/// <reference types="node" />
import { describe, expect, it } from "vitest";
import type { TimedSample } from "./telemetry.js";
import { decodeTelemetryPayload, encodeTelemetryBatch, MAX_INFLATED_BYTES, TELEMETRY_WIRE_VERSION, TelemetryWireError } from "./telemetry-wire.js";

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
    const deflate = async (json: unknown) => {
      const stream = new Blob([JSON.stringify(json)]).stream().pipeThrough(new CompressionStream("deflate-raw"));
      return new Uint8Array([2, ...new Uint8Array(await new Response(stream).arrayBuffer())]);
    };
    await expect(decodeTelemetryPayload(await deflate({ k: [[-1]], c: [[1], [2]], d: [] }))).rejects.toThrow(/2 columns for 1 paths/);
    await expect(decodeTelemetryPayload(await deflate({ k: [[-1], [-2]], c: [[1], [2, 3]], d: [] }))).rejects.toThrow(/column 1 holds 2 values/);
    await expect(decodeTelemetryPayload(await deflate({ k: [[-1]], c: [["a"]], d: [0] }))).rejects.toThrow(/no integer/);
    await expect(decodeTelemetryPayload(await deflate({ k: [[-5, 5_000]], c: [[1]], d: [] }))).rejects.toThrow(/not a version 2 telemetry batch/);
  });
});
