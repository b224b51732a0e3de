import type { ProcessInfo } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { bridgeFamily } from "./bridge-family.js";

const proc = (pid: number, ppid: number): ProcessInfo => ({ pid, ppid, user: "root", cpuPercent: 0, memPercent: 0, rssKiB: 0, command: "x" });

describe("the bridge's family", () => {
  it("holds the bridge, its ancestors below init and all its descendants, and nothing else", () => {
    // init 1 -> sudo 40 -> node 50 (bridge) -> apt-get 60 -> dpkg 61; 1 -> python3 70; bridge's sibling 41
    const table = [proc(1, 0), proc(40, 1), proc(41, 40), proc(50, 40), proc(60, 50), proc(61, 60), proc(70, 1)];
    expect([...bridgeFamily(table, 50, 40)].sort((a, b) => a - b)).toEqual([40, 50, 60, 61]);
  });

  it("works when ps does not list the bridge at all", () => {
    expect([...bridgeFamily([proc(1, 0), proc(70, 1)], 500, 400)].sort()).toEqual([400, 500]);
  });
});
