import { TelemetryQuerySchema } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { parseTimeRef, resolveRange } from "./time-range.js";

const NOW = Date.parse("2026-09-19T12:00:00Z");
const HOUR = 3_600_000;
const query = (input: Record<string, unknown>) => TelemetryQuerySchema.parse(input);

describe("time references and ranges", () => {
  it("reads relative, ISO, epoch and now", () => {
    expect(parseTimeRef("-1h", NOW)).toBe(NOW - HOUR);
    expect(parseTimeRef("-30d", NOW)).toBe(NOW - 30 * 24 * HOUR);
    expect(parseTimeRef("-90s", NOW)).toBe(NOW - 90_000);
    expect(parseTimeRef("2026-09-19T11:00:00Z", NOW)).toBe(NOW - HOUR);
    expect(parseTimeRef(String(NOW), NOW)).toBe(NOW);
    expect(parseTimeRef("now", NOW)).toBe(NOW);
    expect(parseTimeRef("yesterday-ish", NOW)).toBeUndefined();
  });

  it("chooses raw for short recent ranges and 1m otherwise", () => {
    expect(resolveRange(query({}), NOW)).toMatchObject({ from: NOW - HOUR, to: NOW, resolution: "raw" });
    expect(resolveRange(query({ from: "-3h" }), NOW)).toMatchObject({ resolution: "1m" });
    expect(resolveRange(query({ from: "-3d", to: "-71h" }), NOW)).toMatchObject({ resolution: "1m" });
    expect(resolveRange(query({ from: "-30d", resolution: "raw" }), NOW)).toMatchObject({ resolution: "raw" });
  });

  it("says what is wrong with a range it cannot read", () => {
    expect(resolveRange(query({ from: "last week" }), NOW)).toEqual({ error: expect.stringMatching(/Cannot read "from"/) });
    expect(resolveRange(query({ from: "-1h", to: "-2h" }), NOW)).toEqual({ error: expect.stringMatching(/is after/) });
  });
});
