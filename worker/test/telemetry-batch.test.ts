import { exports } from "cloudflare:workers";
import { encodeTelemetryBatch, MAX_INFLATED_BYTES, TELEMETRY_WIRE_VERSION, type TelemetrySeries, type TimedSample } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { ADMIN, connectedDevice } from "./device-client.js";

async function storedTimes(device: string, from: number, to: number): Promise<number[]> {
  const query = new URLSearchParams({ from: String(from), to: String(to), resolution: "raw" });
  const response = await exports.default.fetch(`http://w/api/devices/${device}/telemetry?${query}`, { headers: ADMIN });
  expect(response.status).toBe(200);
  return ((await response.json()) as TelemetrySeries).samples?.map((s) => s.t) ?? [];
}

const sample = (t: number): TimedSample => ({ t, tempsC: { cpu: 50 }, ram: { usedMB: 1000, totalMB: 4000 } });

describe("a telemetry batch holding invalid samples", () => {
  it("stores every valid sample, and its PUBACK says how many were refused and why the first was", async () => {
    const client = await connectedDevice("batch-one-bad");
    const t = Date.now() - 60_000;
    // A reading the bridge computed as NaN: JSON.stringify writes null.
    const odd = { t: t + 1_000, tempsC: { cpu: null }, ram: { usedMB: 1000, totalMB: 4000 } };
    client.publishJson("jetson/batch-one-bad/telemetry", { samples: [sample(t), odd, sample(t + 2_000), sample(t + 3_000)] }, 21);
    const puback = await client.next("puback");
    expect(puback).toMatchObject({ messageId: 21, reasonCode: 0 });
    expect(puback.properties?.reasonString).toMatch(/^refused 1 of 4 samples; the first, samples\[1\] \(t \d+\): tempsC\.cpu: .*number/);
    expect(await storedTimes("batch-one-bad", t - 1, t + 10_000)).toEqual([t, t + 2_000, t + 3_000]);
  });

  it("answers a valid batch with plain success, and refuses one with no valid sample, or that is not a batch, saying why", async () => {
    const client = await connectedDevice("batch-refused");
    const t = Date.now() - 60_000;
    client.publishJson("jetson/batch-refused/telemetry", { samples: [sample(t)] }, 31);
    const accepted = await client.next("puback");
    expect(accepted).toMatchObject({ messageId: 31, reasonCode: 0 });
    expect(accepted.properties?.reasonString).toBeUndefined();

    client.publishJson("jetson/batch-refused/telemetry", { samples: [{ t: t + 1_000, ram: { usedMB: -1, totalMB: 4000 } }] }, 32);
    const noneValid = await client.next("puback");
    expect(noneValid).toMatchObject({ messageId: 32, reasonCode: 0x99 });
    expect(noneValid.properties?.reasonString).toMatch(/^refused 1 of 1 samples; the first, samples\[0\] \(t \d+\): ram\.usedMB: /);

    client.publishJson("jetson/batch-refused/telemetry", { samples: "none" }, 33);
    const notABatch = await client.next("puback");
    expect(notABatch).toMatchObject({ messageId: 33, reasonCode: 0x99 });
    expect(notABatch.properties?.reasonString).toMatch(/^not a telemetry batch: samples: /);
    expect(await storedTimes("batch-refused", t - 1, t + 10_000)).toEqual([t]);
  });
});

/** An AGX Orin's sample as its bridge reads it, with the optional fields a board may lack. */
const orin = (t: number, step: number): TimedSample => ({
  t,
  time: `2026-12-04T12:00:0${step}`,
  ram: { usedMB: 18207 + step, totalMB: 62841 },
  cpus: [{ loadPct: 14 + step, freqMHz: 2188 }, { online: false }, { loadPct: 5, freqMHz: 2112 }],
  gpu: { loadPct: step, freqMHz: 1300 },
  engines: { NVENC: { online: true, loadPct: 79, freqMHz: 166 }, NVDEC: { online: false } },
  tempsC: { cpu: 52.562 + step / 32, tj: 52.562 },
  powerMW: { VDD_GPU_SOC: { now: 2412 - step, avg: 2411.5 }, VIN_SYS_5V0: { now: 4707 } },
  ...(step % 2 === 0 ? { totalPowerMW: 8726 + step } : { fan: { pwmPct: 34 } }),
});

async function storedSamples(device: string, from: number, to: number): Promise<TimedSample[]> {
  const query = new URLSearchParams({ from: String(from), to: String(to), resolution: "raw" });
  const response = await exports.default.fetch(`http://w/api/devices/${device}/telemetry?${query}`, { headers: ADMIN });
  return ((await response.json()) as TelemetrySeries).samples ?? [];
}

describe("telemetry in either wire version", () => {
  it("stores the same values from a version 1 batch and a version 2 batch", async () => {
    const t = Date.now() - 60_000;
    const samples = Array.from({ length: 5 }, (_, step) => orin(t + step * 1_000, step));
    const v1 = await connectedDevice("wire-v1");
    v1.publishJson("jetson/wire-v1/telemetry", { samples }, 41);
    expect(await v1.next("puback")).toMatchObject({ messageId: 41, reasonCode: 0 });
    const v2 = await connectedDevice("wire-v2");
    const payload = await encodeTelemetryBatch({ samples });
    expect(payload[0]).toBe(TELEMETRY_WIRE_VERSION);
    v2.publishBytes("jetson/wire-v2/telemetry", payload, 42);
    expect(await v2.next("puback")).toMatchObject({ messageId: 42, reasonCode: 0 });

    const fromV1 = await storedSamples("wire-v1", t - 1, t + 10_000);
    expect(fromV1).toStrictEqual(samples);
    expect(await storedSamples("wire-v2", t - 1, t + 10_000)).toStrictEqual(fromV1);
  });

  // Not 9: a tab, like any leading whitespace, starts version 1 JSON.
  it("refuses a payload of neither version, saying why", async () => {
    const client = await connectedDevice("wire-unknown");
    client.publishBytes("jetson/wire-unknown/telemetry", new Uint8Array([7, 1, 2, 3]), 43);
    const puback = await client.next("puback");
    expect(puback).toMatchObject({ messageId: 43, reasonCode: 0x99 });
    expect(puback.properties?.reasonString).toMatch(/^unknown telemetry wire version \(first byte 7/);
  });

  it("refuses version 2 bytes that do not inflate, and a batch that inflates past the cap, saying why", async () => {
    const client = await connectedDevice("wire-bad-deflate");
    client.publishBytes("jetson/wire-bad-deflate/telemetry", new Uint8Array([TELEMETRY_WIRE_VERSION, 0xff, 0xff, 0xff]), 44);
    const garbage = await client.next("puback");
    expect(garbage).toMatchObject({ messageId: 44, reasonCode: 0x99 });
    expect(garbage.properties?.reasonString).toMatch(/^telemetry version 2 is not deflate-raw data: /);

    const zeros = new Blob([new Uint8Array(MAX_INFLATED_BYTES + 1)]).stream().pipeThrough(new CompressionStream("deflate-raw"));
    const bomb = new Uint8Array([TELEMETRY_WIRE_VERSION, ...new Uint8Array(await new Response(zeros).arrayBuffer())]);
    client.publishBytes("jetson/wire-bad-deflate/telemetry", bomb, 45);
    const tooBig = await client.next("puback");
    expect(tooBig).toMatchObject({ messageId: 45, reasonCode: 0x99 });
    expect(tooBig.properties?.reasonString).toBe(`telemetry version 2 inflates past ${MAX_INFLATED_BYTES} bytes`);
  });
});
