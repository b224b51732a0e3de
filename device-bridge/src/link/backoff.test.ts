import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.js";

describe("reconnect backoff", () => {
  it("grows exponentially up to the maximum", () => {
    const top = () => 1;
    expect([0, 1, 2, 3, 10, 40].map((attempt) => backoffDelay(attempt, 500, 30_000, top))).toEqual([
      500, 1000, 2000, 4000, 30_000, 30_000,
    ]);
  });

  it("spreads reconnects with jitter but never retries instantly", () => {
    expect(backoffDelay(5, 500, 30_000, () => 0)).toBe(250);
    expect(backoffDelay(5, 500, 30_000, () => 0.5)).toBe(8000);
  });
});
