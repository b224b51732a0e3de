import type { RunDeviceState } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { type DeviceProgress, nextStep } from "./run-policy.js";

/** Devices d0, d1, … in these states; the first `canaries` are canaries. */
function devices(states: RunDeviceState[], canaries = 0): DeviceProgress[] {
  return states.map((state, i) => ({ device: `d${i}`, canary: i < canaries, state }));
}

describe("the run policy", () => {
  it("starts the canaries first, within the concurrency limit", () => {
    expect(nextStep({ concurrency: 2 }, devices(["pending", "pending", "pending", "pending"], 3))).toEqual({ start: ["d0", "d1"] });
    expect(nextStep({ concurrency: 5 }, devices(["running", "succeeded", "pending", "pending"], 3))).toEqual({ start: ["d2"] });
  });

  it("starts the rest only once every canary succeeded", () => {
    expect(nextStep({ concurrency: 5 }, devices(["succeeded", "running", "pending"], 2))).toEqual({ start: [] });
    expect(nextStep({ concurrency: 5 }, devices(["succeeded", "succeeded", "pending", "pending"], 2))).toEqual({ start: ["d2", "d3"] });
  });

  it("ends the run when a canary fails, once the running canaries have answered", () => {
    expect(nextStep({ concurrency: 5 }, devices(["failed", "running", "pending"], 2))).toEqual({ start: [] });
    const step = nextStep({ concurrency: 5 }, devices(["failed", "succeeded", "pending"], 2));
    expect(step).toMatchObject({ end: "canary_failed" });
    expect(step).toHaveProperty("reason", expect.stringContaining("d0"));
  });

  it("stops starting devices once more than the threshold of finished ones failed", () => {
    // 1 of 3 failed is 33 %: over 30, not over 40.
    const states: RunDeviceState[] = ["succeeded", "succeeded", "failed", "pending", "pending"];
    expect(nextStep({ concurrency: 1, abortThresholdPct: 40 }, devices(states))).toEqual({ start: ["d3"] });
    expect(nextStep({ concurrency: 1, abortThresholdPct: 30 }, devices(states))).toMatchObject({ end: "aborted", reason: expect.stringMatching(/1 of 3 finished devices failed, more than 30%/) });
    expect(nextStep({ concurrency: 1, abortThresholdPct: 30 }, devices(["failed", "running", "pending"]))).toEqual({ start: [] });
  });

  it("ends as succeeded, partially failed or failed when every device has finished", () => {
    expect(nextStep({ concurrency: 3 }, devices(["succeeded", "succeeded"]))).toEqual({ end: "succeeded" });
    expect(nextStep({ concurrency: 3 }, devices(["succeeded", "failed"]))).toEqual({ end: "partially_failed" });
    expect(nextStep({ concurrency: 3 }, devices(["failed", "failed"]))).toEqual({ end: "failed" });
  });
});
