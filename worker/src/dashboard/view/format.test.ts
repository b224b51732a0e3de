import { describe, expect, it } from "vitest";
import { ago, celsius, duration, megahertz, percent, powerMode, watts } from "./format.js";

describe("formatting", () => {
  it("shows a dash for what the device did not report", () => {
    expect([percent(undefined), celsius(undefined), watts(undefined), powerMode(undefined)]).toEqual(["–", "–", "–", "–"]);
  });

  it("shows a dash, never throws, for a reading JSON carried as null or that is not finite", () => {
    const odd = [null, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (const format of [percent, celsius, watts, megahertz, duration]) expect(odd.map(format)).toEqual(["–", "–", "–", "–"]);
    expect([celsius(1.7e308), watts(-1e308)]).toEqual(["1.7e+308 °C", "-1e+305 W"]);
  });

  it("keeps small percentages precise and large ones short", () => {
    expect([percent(5), percent(27.4), celsius(77.66), watts(10_840)]).toEqual(["5.0 %", "27 %", "77.7 °C", "10.8 W"]);
  });

  it("names a power mode with its id, which differs per board", () => {
    expect(powerMode({ id: 2, name: "MAXN_SUPER" })).toBe("MAXN_SUPER (2)");
  });

  it("says how long ago in the largest whole unit", () => {
    const now = 10 * 86_400_000;
    expect([ago(now - 4_000, now), ago(now - 300_000, now), ago(now - 7_200_000, now), ago(0, now), ago(undefined, now)]).toEqual([
      "4 s ago",
      "5 min ago",
      "2 h ago",
      "10 d ago",
      "never",
    ]);
  });
});
