import { afterEach, describe, expect, it } from "vitest";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";

let board: SimulatedBoard;
afterEach(() => board.remove());

describe("time.status", () => {
  it("reads timedatectl show on JetPack 6", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    const before = Date.now();
    const status = await board.run("time.status", {});
    expect(status).toMatchObject({ timezone: "America/Los_Angeles", ntpEnabled: true, ntpSynchronized: true, rtcInLocalTz: false });
    expect(status.localTime).toMatch(/^\w{3} \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} P[DS]T$/);
    expect(Math.abs(Date.parse(status.time ?? "") - before)).toBeLessThan(5_000);
    expect((await board.calls()).map((c) => c.argv)).toEqual([["show"]]);
  });

  it("falls back to timedatectl status where systemd has no show (JetPack 4)", async () => {
    board = await simulatedBoard("nano-jp46");
    const status = await board.run("time.status", {});
    expect(status).toMatchObject({ timezone: "Etc/UTC", ntpEnabled: true, ntpSynchronized: true });
    expect(Math.abs(Date.parse(status.time ?? "") - Date.now())).toBeLessThan(5_000);
    expect((await board.calls()).map((c) => c.argv)).toEqual([["show"], ["status"]]);
  });

  it("says when the clock is not synchronised", async () => {
    board = await simulatedBoard("xavier-nx-jp51");
    expect(await board.run("time.status", {})).toMatchObject({ timezone: "Asia/Tokyo", ntpEnabled: true, ntpSynchronized: false });
  });
});
