import type { TimedSample } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { BridgeConfigSchema } from "../config.js";
import { TelemetryBuffer } from "./buffer.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const sample = (t: number): TimedSample => ({ t, ram: { usedMB: 1000, totalMB: 8000 }, tempsC: { cpu: 45.5 } });
const times = (samples: readonly TimedSample[]) => samples.map((s) => s.t);

describe("the telemetry buffer", () => {
  it("keeps the last window at full resolution and one sample a thinning interval before it", () => {
    const buffer = new TelemetryBuffer({ fullResolutionMs: 10_000, thinnedIntervalMs: 5_000, maxSamples: 1_000 });
    for (let t = 0; t < 30_000; t += 1_000) buffer.add(sample(t));
    const held = times(buffer.nextBatch(10_000, Infinity));
    // Newest 29 s: 19-29 s at 1 s; before that the first sample of each 5 s interval.
    expect(held).toEqual([0, 5_000, 10_000, 15_000, 19_000, 20_000, 21_000, 22_000, 23_000, 24_000, 25_000, 26_000, 27_000, 28_000, 29_000]);
  });

  it("holds more than 24 hours of an outage with the default settings, in time order", () => {
    const { buffer: options, sampleMs } = BridgeConfigSchema.shape.telemetry.parse({});
    const buffer = new TelemetryBuffer(options);
    const end = 30 * HOUR;
    for (let t = 0; t < end; t += sampleMs) buffer.add(sample(t));
    const held = times(buffer.nextBatch(Infinity, Infinity));
    expect(held[0]).toBe(0); // nothing of the 30 hours was dropped, only thinned
    expect(held.at(-1)).toBe(end - sampleMs);
    expect(held).toEqual([...held].sort((a, b) => a - b));
    const cutoff = end - sampleMs - options.fullResolutionMs;
    expect(held.filter((t) => t >= cutoff)).toHaveLength(601); // the last 10 minutes at 1 Hz
    const older = held.filter((t) => t < cutoff);
    expect(older).toEqual(Array.from({ length: 30 * 60 - 10 }, (_, minute) => minute * MINUTE)); // one a minute before
    expect(buffer.size).toBeLessThanOrEqual(options.maxSamples);
    expect(buffer.droppedCount).toBe(0);
  });

  it("stays within its bound, giving up the oldest samples", () => {
    const buffer = new TelemetryBuffer({ fullResolutionMs: 0, thinnedIntervalMs: 1_000, maxSamples: 100 });
    for (let t = 0; t < 500_000; t += 1_000) buffer.add(sample(t));
    expect(buffer.size).toBe(100);
    expect(buffer.droppedCount).toBe(400);
    expect(times(buffer.nextBatch(1, Infinity))).toEqual([400_000]);
  });

  it("puts a sample from a clock stepped back in its place", () => {
    const buffer = new TelemetryBuffer({ fullResolutionMs: HOUR, thinnedIntervalMs: MINUTE, maxSamples: 100 });
    for (const t of [1_000, 2_000, 4_000, 3_000, 5_000]) buffer.add(sample(t));
    expect(times(buffer.nextBatch(100, Infinity))).toEqual([1_000, 2_000, 3_000, 4_000, 5_000]);
  });

  it("cuts batches by count and by JSON size, oldest first, at least one sample each", () => {
    const buffer = new TelemetryBuffer({ fullResolutionMs: HOUR, thinnedIntervalMs: MINUTE, maxSamples: 100 });
    for (let t = 0; t < 50; t++) buffer.add(sample(t));
    expect(times(buffer.nextBatch(3, Infinity))).toEqual([0, 1, 2]);
    const size = Buffer.byteLength(JSON.stringify({ samples: [sample(0)] }));
    const fits = buffer.nextBatch(100, size * 5);
    expect(Buffer.byteLength(JSON.stringify({ samples: fits }))).toBeLessThanOrEqual(size * 5);
    expect(fits.length).toBeGreaterThan(4);
    expect(buffer.nextBatch(100, 10)).toHaveLength(1);
  });

  it("gives nothing up until a batch is removed, and then only that batch", () => {
    const buffer = new TelemetryBuffer({ fullResolutionMs: HOUR, thinnedIntervalMs: MINUTE, maxSamples: 100 });
    for (let t = 0; t < 10; t++) buffer.add(sample(t));
    const batch = buffer.nextBatch(4, Infinity);
    expect(times(buffer.nextBatch(4, Infinity))).toEqual(times(batch)); // the same again while unacknowledged
    buffer.add(sample(10));
    buffer.remove(batch);
    expect(times(buffer.nextBatch(100, Infinity))).toEqual([4, 5, 6, 7, 8, 9, 10]);
  });

  it("removes an acknowledged batch even when thinning took some of it in flight", () => {
    const buffer = new TelemetryBuffer({ fullResolutionMs: 5_000, thinnedIntervalMs: 10_000, maxSamples: 1_000 });
    for (let t = 0; t < 5_000; t += 1_000) buffer.add(sample(t));
    const batch = buffer.nextBatch(100, Infinity);
    for (let t = 5_000; t < 20_000; t += 1_000) buffer.add(sample(t));
    buffer.remove(batch);
    // Of the batch, 0 s was still held (thinned down to it) and goes; 1-4 s were thinned away in flight.
    expect(times(buffer.nextBatch(100, Infinity))).toEqual([10_000, 14_000, 15_000, 16_000, 17_000, 18_000, 19_000]);
  });
});
