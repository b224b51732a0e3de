import { describe, expect, it } from "vitest";
import { fixturesMissing, readFixture } from "../parsers/fixtures.js";
import { parseNvpmodelConf } from "../parsers/nvpmodel.js";
import { switchNeedsReboot } from "./power-modes.js";

/** For each active mode of a real board's table, the modes that need a reboot to reach. */
function rebootTable(file: string): Record<string, string[]> {
  const { modes } = parseNvpmodelConf(readFixture("nvpmodel-p-verbose", file));
  return Object.fromEntries(modes.map((from) => [from.name, modes.filter((to) => switchNeedsReboot(from, to)).map((to) => to.name)]));
}

describe.skipIf(fixturesMissing("power mode reboot rule"))("a switch needs a reboot exactly where TPC_PG_MASK differs", () => {
  it("AGX Orin: MAXN and MODE_50W share mask 0; MODE_15W (248) and MODE_30W (240) differ from every other mode", () => {
    expect(rebootTable("agx-orin-1.txt")).toEqual({
      MAXN: ["MODE_15W", "MODE_30W"],
      MODE_15W: ["MAXN", "MODE_30W", "MODE_50W"],
      MODE_30W: ["MAXN", "MODE_15W", "MODE_50W"],
      MODE_50W: ["MODE_15W", "MODE_30W"],
    });
  });

  it("AGX Xavier: only MODE_10W gates TPCs (mask 5)", () => {
    const table = rebootTable("agx-xavier-1.txt");
    expect(table.MODE_10W).toEqual(["MAXN", "MODE_15W", "MODE_30W_ALL", "MODE_30W_6CORE", "MODE_30W_4CORE", "MODE_30W_2CORE"]);
    for (const [from, targets] of Object.entries(table).filter(([name]) => name !== "MODE_10W")) expect(targets, from).toEqual(["MODE_10W"]);
  });

  it("Nano: no TPC power gating, so never", () => {
    expect(rebootTable("nano-1.txt")).toEqual({ MAXN: [], "5W": [] });
  });
});

describe("switchNeedsReboot", () => {
  const mode = (id: number, tpcPgMask?: number) => ({ id, name: `M${id}`, params: tpcPgMask === undefined ? {} : { tpcPgMask } });

  it("keeps the active mask for a mode that sets none, and assumes a change where the active mode is unknown", () => {
    expect(switchNeedsReboot(mode(0, 1), mode(1))).toBe(false);
    expect(switchNeedsReboot(undefined, mode(1, 0))).toBe(true);
    expect(switchNeedsReboot(undefined, mode(1))).toBe(false);
    expect(switchNeedsReboot(mode(2, 240), mode(2, 240))).toBe(false);
  });
});
