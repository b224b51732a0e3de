import type { TelemetryBatch, TelemetrySample } from "@jetson/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PublishAccepted } from "../link/mqtt-link.js";
import { PublishRefused } from "../link/publish-refused.js";
import type { Logger } from "../log.js";
import { TelemetryBuffer } from "./buffer.js";
import { TelemetryReporter } from "./reporter.js";

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const START = Date.parse("2026-09-19T12:00:00Z");

interface Harness {
  reporter: TelemetryReporter;
  buffer: TelemetryBuffer;
  sent: TelemetryBatch[];
  link: { connected: boolean; maxPacketBytes?: number };
  /** How the next publish ends; default: acknowledged at once. */
  answer: (batch: TelemetryBatch) => Promise<PublishAccepted>;
  /** What the reporter logged above debug. */
  logged: string[];
}

const accepted = async (): Promise<PublishAccepted> => ({});

function harness(overrides: { maxBatchBytes?: number } = {}): Harness {
  let n = 0;
  const sample = async (): Promise<TelemetrySample> => ({ ram: { usedMB: 1000 + n++, totalMB: 8000 }, tempsC: { cpu: 45 } });
  const buffer = new TelemetryBuffer({ fullResolutionMs: 600_000, thinnedIntervalMs: 60_000, maxSamples: 5_000 });
  const h: Harness = {
    buffer,
    sent: [],
    link: { connected: true },
    answer: accepted,
    logged: [],
    reporter: undefined as unknown as TelemetryReporter,
  };
  h.reporter = new TelemetryReporter({
    sample,
    buffer,
    publish: (batch) => {
      h.sent.push(batch);
      return h.answer(batch);
    },
    link: () => h.link,
    sampleMs: 1_000,
    batchMs: 5_000,
    maxBatchBytes: overrides.maxBatchBytes ?? 256 * 1024,
    log: { ...quiet, warn: (line) => h.logged.push(line), error: (line) => h.logged.push(line) },
  });
  return h;
}

const sentTimes = (h: Harness) => h.sent.flatMap((b) => b.samples.map((s) => s.t));
const everySecond = (from: number, count: number) => Array.from({ length: count }, (_, i) => START + from + i * 1_000);

describe("the telemetry reporter", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(START);
  });
  afterEach(() => vi.useRealTimers());

  it("samples every second and publishes a batch every five, each sample once, in order", async () => {
    const h = harness();
    h.reporter.start();
    await vi.advanceTimersByTimeAsync(10_500);
    h.reporter.stop();
    expect(h.sent).toHaveLength(2);
    expect(sentTimes(h)).toEqual(everySecond(0, 10));
    expect(h.sent[0]?.samples[0]).toEqual({ ram: { usedMB: 1000, totalMB: 8000 }, tempsC: { cpu: 45 }, t: START });
    expect(h.buffer.size).toBe(1); // the sample taken at 10 s waits for the next batch
  });

  it("keeps samples while the link is down and sends the whole gap, oldest first, on reconnect", async () => {
    const h = harness({ maxBatchBytes: 20_000 });
    h.link.connected = false;
    h.reporter.start();
    await vi.advanceTimersByTimeAsync(600_500);
    expect(h.sent).toEqual([]);
    expect(h.buffer.size).toBe(601);
    h.link.connected = true;
    await h.reporter.flush();
    expect(h.sent.length).toBeGreaterThan(1); // cut by size
    for (const batch of h.sent) expect(Buffer.byteLength(JSON.stringify(batch))).toBeLessThanOrEqual(20_000);
    expect(sentTimes(h)).toEqual(everySecond(0, 601));
    expect(h.buffer.size).toBe(0);
    h.reporter.stop();
  });

  it("removes nothing until the broker acknowledges, one batch in flight at a time", async () => {
    const h = harness({ maxBatchBytes: 20_000 });
    h.link.connected = false;
    h.reporter.start();
    await vi.advanceTimersByTimeAsync(300_500);
    // Fake time stands still from here: no sample is taken while the batches go.
    const acks: (() => void)[] = [];
    h.answer = () => new Promise<PublishAccepted>((resolve) => acks.push(() => resolve({})));
    h.link.connected = true;
    const flushing = h.reporter.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.sent).toHaveLength(1);
    expect(h.buffer.size).toBe(301);
    void h.reporter.flush(); // joins the flush in progress
    await vi.advanceTimersByTimeAsync(0);
    expect(h.sent).toHaveLength(1);
    acks.shift()?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.sent).toHaveLength(2);
    expect(h.buffer.size).toBe(301 - (h.sent[0]?.samples.length ?? 0));
    h.answer = accepted;
    acks.shift()?.();
    await flushing;
    h.reporter.stop();
    expect(sentTimes(h)).toEqual(everySecond(0, 301));
  });

  it("keeps a batch the link lost for the next try, and drops one the cloud refused", async () => {
    const h = harness();
    h.answer = async () => {
      throw new Error("Connection closed");
    };
    h.reporter.start();
    await vi.advanceTimersByTimeAsync(5_500);
    // The batch timer fires before the sample of the same second: 0-4 s went and failed.
    expect(sentTimes(h)).toEqual(everySecond(0, 5));
    expect(h.buffer.size).toBe(6);
    h.answer = accepted;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sentTimes(h).slice(5)).toEqual(everySecond(0, 10)); // the same samples again, then the rest
    h.answer = async () => {
      throw new PublishRefused(0x99, "Payload format invalid");
    };
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.buffer.size).toBe(1); // 10-14 s refused and dropped; the 15 s sample waits
    h.answer = accepted;
    await vi.advanceTimersByTimeAsync(5_000);
    h.reporter.stop();
    expect(h.sent.at(-1)?.samples.map((s) => s.t)).toEqual(everySecond(15_000, 5));
  });

  it("fits batches under the broker's Maximum Packet Size", async () => {
    const h = harness();
    h.link = { connected: false };
    h.reporter.start();
    await vi.advanceTimersByTimeAsync(60_500);
    h.link = { connected: true, maxPacketBytes: 4_096 };
    await h.reporter.flush();
    h.reporter.stop();
    expect(h.sent.length).toBeGreaterThan(1);
    for (const batch of h.sent) expect(Buffer.byteLength(JSON.stringify(batch))).toBeLessThanOrEqual(4_096 - 1_024);
    expect(sentTimes(h)).toEqual(everySecond(0, 61));
  });

  it("logs once what the cloud refused of a batch it stored, and keeps none of that batch", async () => {
    const h = harness();
    h.link.connected = false;
    h.reporter.start();
    await vi.advanceTimersByTimeAsync(30_500);
    h.answer = async () => ({ reasonString: "refused 1 of 31 samples; the first, samples[4] (t 1): tempsC.cpu: expected number" });
    h.link.connected = true;
    await h.reporter.flush();
    h.reporter.stop();
    expect(h.sent).toHaveLength(1);
    expect(h.buffer.size).toBe(0);
    expect(h.logged).toEqual([
      "the cloud stored part of a telemetry batch of 31 samples: refused 1 of 31 samples; the first, samples[4] (t 1): tempsC.cpu: expected number",
    ]);
  });
});
