import { describe, expect, it } from "vitest";
import { gapThreshold, linearScale, linePath, niceTicks, timeTicks, valueExtent } from "./chart-geometry.js";

describe("chart geometry", () => {
  it("picks round ticks", () => {
    expect(niceTicks(0, 100)).toEqual([0, 50, 100]);
    expect(niceTicks(41.3, 57.9)).toEqual([45, 50, 55]);
    expect(niceTicks(0.1, 0.5)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
  });

  it("widens the value axis to the ticks around the data, from zero when asked", () => {
    expect(valueExtent([[42, 57, null]], false)).toEqual([40, 60]);
    expect(valueExtent([[42, 57], [61]], true)).toEqual([0, 80]);
    expect(valueExtent([[null]], false)).toEqual([0, 1]);
    expect(valueExtent([[5, 5]], false)).toEqual([4, 6]);
  });

  it("leaves values that are not finite out of the value axis, and keeps one near the largest double finite", () => {
    expect(valueExtent([[42, Number.POSITIVE_INFINITY, Number.NaN, null, Number.NEGATIVE_INFINITY, 57]], false)).toEqual([40, 60]);
    expect(valueExtent([[1.7e308, -1.7e308]], false)).toEqual([-1.7e308, 1.7e308]);
    expect(niceTicks(-1.7e308, 1.7e308)).toEqual([-1e308, 0, 1e308]);
    // Below a double's precision the steps coincide: one tick, and the loop still ends.
    expect(niceTicks(1e17, 1e17 + 16)).toEqual([1e17]);
    expect(valueExtent([[1e17, 1e17 + 16]], false)).toEqual([1e17, 1e17 + 16]);
  });

  it("draws a line through values near the largest double without NaN, lifting the pen at values that are not finite", () => {
    const x = linearScale([0, 10], [0, 100]);
    const y = linearScale(valueExtent([[1.7e308, -1.7e308, 0]], false), [100, 0]);
    expect(linePath([0, 1, 2], [1.7e308, -1.7e308, 0], x, y, 3)).toBe("M0.0 0.0L10.0 100.0L20.0 50.0");
    const flat = linearScale(valueExtent([[1.7e308]], false), [100, 0]);
    expect(linePath([0, 1], [1.7e308, 1.7e308], x, flat, 3)).not.toMatch(/NaN/);
    expect(linePath([0, 1, 2, 3], [0, Number.POSITIVE_INFINITY, 1, Number.NaN], x, linearScale([0, 1], [10, 0]), 3)).toBe("M0.0 10.0M20.0 0.0");
  });

  it("lifts the pen at missing values and at gaps longer than allowed", () => {
    const x = linearScale([0, 10], [0, 100]);
    const y = linearScale([0, 1], [10, 0]);
    expect(linePath([0, 1, 2, 3, 9, 10], [0, 1, null, 1, 0, 1], x, y, 3)).toBe("M0.0 10.0L10.0 0.0M30.0 0.0M90.0 10.0L100.0 0.0");
  });

  it("allows gaps of three usual steps", () => {
    expect(gapThreshold([0, 1000, 2000, 3000, 60_000], undefined)).toBe(3000);
    expect(gapThreshold([], 180_000)).toBe(540_000);
  });

  it("puts time ticks on whole steps inside the range", () => {
    const ticks = timeTicks(Date.UTC(2026, 0, 1, 10, 7), Date.UTC(2026, 0, 1, 10, 22));
    expect(ticks).toEqual([10, 15, 20].map((minute) => Date.UTC(2026, 0, 1, 10, minute)));
  });
});
