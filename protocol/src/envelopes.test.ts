import { describe, expect, it } from "vitest";
import { CommandSchema, DeviceStateSchema, ResultSchema } from "./envelopes.js";
import { DeviceSummarySchema } from "./fleet.js";
import { parseTopic, topicFor } from "./topics.js";

describe("envelopes and topics", () => {
  it("round-trips topics and refuses foreign or wildcard ones", () => {
    expect(parseTopic(topicFor("orin-1", "result"))).toEqual({ deviceId: "orin-1", channel: "result" });
    for (const topic of ["jetson/orin-1/nope", "jetson/+/result", "jetson/#", "other/orin-1/result", "jetson/orin-1/result/x", "jetson/Orin_1/result"]) {
      expect(parseTopic(topic), topic).toBeUndefined();
    }
  });

  it("accepts a command and refuses one without a usable id", () => {
    const command = { id: "c12345678", action: "system.info", args: {}, deadline: 1, requestedBy: "t" };
    expect(CommandSchema.parse(command)).toEqual(command);
    expect(CommandSchema.safeParse({ ...command, id: "../../x" }).success).toBe(false);
  });

  it("carries when the Worker sent a command, and still accepts one from a Worker that does not say", () => {
    const command = { id: "c12345678", action: "system.info", args: {}, deadline: 30_001, sentAt: 1, requestedBy: "t" };
    expect(CommandSchema.parse(command).sentAt).toBe(1);
    expect(CommandSchema.parse({ ...command, sentAt: undefined }).sentAt).toBeUndefined();
    expect(CommandSchema.safeParse({ ...command, sentAt: -1 }).success).toBe(false);
  });

  it("keeps ok and error results apart", () => {
    expect(ResultSchema.safeParse({ id: "c12345678", ok: true, data: { a: 1 }, startedAt: 1, endedAt: 2 }).success).toBe(true);
    expect(ResultSchema.safeParse({ id: "c12345678", ok: false, startedAt: 1, endedAt: 2 }).success).toBe(false);
    expect(
      ResultSchema.safeParse({ id: "c12345678", ok: false, error: { code: "timed_out", message: "m" }, startedAt: 1, endedAt: 2 }).success,
    ).toBe(true);
  });

  it("carries the device's power mode in its state, keeps it in the fleet's summary, and allows none", () => {
    const state = { hostname: "h", bridgeVersion: "1", capabilities: [], powerMode: { id: 2, name: "MODE_30W" } };
    expect(DeviceStateSchema.parse(state).powerMode).toEqual({ id: 2, name: "MODE_30W" });
    expect(DeviceSummarySchema.parse({ id: "d", fleet: "f", online: true, state }).state?.powerMode).toEqual({ id: 2, name: "MODE_30W" });
    expect(DeviceStateSchema.parse({ ...state, powerMode: undefined }).powerMode).toBeUndefined();
    for (const powerMode of [{ id: -1, name: "X" }, { id: 1, name: "" }, { id: 1 }, "MODE_30W"]) {
      expect(DeviceStateSchema.safeParse({ ...state, powerMode }).success, JSON.stringify(powerMode)).toBe(false);
    }
  });
});
