import { describe, expect, it } from "vitest";
import { FIGURES_EVERY_MS, figuresEveryMs } from "./summary-publisher.js";

describe("SUMMARY_FIGURES_EVERY_MS", () => {
  it("defaults to a minute and takes a positive whole number of milliseconds", () => {
    expect(figuresEveryMs(undefined)).toBe(FIGURES_EVERY_MS);
    expect(FIGURES_EVERY_MS).toBe(60_000);
    expect(figuresEveryMs("5000")).toBe(5_000);
  });

  it("refuses anything else, naming the var and the value", () => {
    for (const bad of ["", "soon", "0", "-1000", "1.5"]) {
      expect(() => figuresEveryMs(bad)).toThrow(`SUMMARY_FIGURES_EVERY_MS must be a positive whole number of milliseconds, not "${bad}"`);
    }
  });
});
