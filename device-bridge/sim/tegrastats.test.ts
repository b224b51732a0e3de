import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTegrastatsLine } from "../src/parsers/tegrastats.js";
import { BOARD_FACTS } from "./board-facts.js";
import { SIM_BOARD_IDS } from "./boards.js";
import type { SimulatedJetson } from "./create.js";
import { runProgram, tegrastatsLines, tempJetson } from "./testing.js";

describe.each(SIM_BOARD_IDS)("tegrastats: %s", (id) => {
  const facts = BOARD_FACTS[id];
  let sim: SimulatedJetson & { remove(): Promise<void> };
  let line: string;

  beforeAll(async () => {
    sim = await tempJetson(id);
    [line = ""] = await tegrastatsLines(sim, 1);
  });
  afterAll(() => sim.remove());

  it("starts like the board's real lines (date prefix from JetPack 5 on)", () => {
    const dated = /^\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2} RAM \d+\/\d+MB \(lfb \d+x4MB\) SWAP \d+\/\d+MB \(cached \d+MB\) /;
    expect(line).toMatch(sim.board.generation === 4 ? /^RAM \d+\/\d+MB \(lfb \d+x4MB\) SWAP / : dated);
    expect(line.includes(" IRAM 0/252kB(lfb 252kB) ")).toBe(id === "nano-jp46");
  });

  it("lists every core with load and MHz, online ones per the power mode", () => {
    const entries = /CPU \[([^\]]*)\]/.exec(line)?.[1]?.split(",") ?? [];
    expect(entries).toHaveLength(facts.cpus);
    for (const entry of entries) expect(entry).toMatch(/^(\d+%@\d+|off)$/);
  });

  it("prints GPU, EMC, temperatures and rails in the JetPack's format", () => {
    expect(line).toMatch(/ EMC_FREQ \d+%@\d+ /);
    const gr3d = sim.board.generation === 4 ? / GR3D_FREQ \d+%@\d+ / : / GR3D_FREQ \d+%@\[\d+(,\d+)*\] /;
    // Thor's GPU load lives in NVML: tegrastats prints the GPC clocks only (agx-thor-1.txt)
    expect(line).toMatch(sim.board.gpu.openRm ? / GR3D_FREQ @\[\d+,\d+,\d+\] / : gr3d);
    const rails = [...line.matchAll(/ ([A-Z][A-Z0-9_]+) (\d+)(mW)?\/(\d+)(mW)?(?= |$)/g)];
    expect(rails.map((m) => m[1])).toEqual(facts.tegrastatsRails);
    for (const m of rails) expect(m[3]).toBe(sim.board.generation === 4 ? undefined : "mW");
    const temps = [...line.matchAll(/ (\w+)@(-?[\d.]+)C/g)].map((m) => m[1]);
    expect(temps).toContain(sim.board.generation >= 6 ? "cpu" : "CPU");
    // JetPack 6 leaves out offline sensors (the idle CV zones of Orin)
    expect(line.includes("@-256C")).toBe(false);
  });

  it("prints each engine from its debugfs clock, as the board's tegrastats does", async () => {
    const printed = sim.board.tegrastats.engines.map(({ label, mhz, on }) => `${label} ${on ? mhz : "off"}`).join(" ");
    expect(line).toContain(` ${printed} `);
    const first = sim.board.tegrastats.engines[0];
    if (!first) throw new Error("a board without engines");
    const dir = `/sys/kernel/debug/clk/${first.clock}`;
    await writeFile(path.join(sim.root, dir, "clk_enable_count"), first.on ? "0\n" : "1\n");
    await writeFile(path.join(sim.root, dir, "clk_rate"), "345600000\n");
    const [after = ""] = await tegrastatsLines(sim, 1);
    expect(after).toContain(` ${first.label} ${first.on ? "off" : "345"} `);
  });

  it.runIf(process.getuid?.() === 0)("prints no EMC reading, GPU clock or engines when not run as root", async () => {
    await chmod(sim.root, 0o755); // a login that is not root on a board built by root
    const [notRoot = ""] = await tegrastatsLines(sim, 1, 100, { uid: 4242, gid: 4242 });
    // JetPack 4 and 5 print "EMC_FREQ 0%" whatever the traffic, JetPack 6 no EMC at all (orin-nano-2.txt).
    const emc = sim.board.generation <= 5 ? "EMC_FREQ 0% " : "";
    expect(notRoot).toMatch(sim.board.gpu.openRm ? / CPU \[[^\]]+\] \S+@[\d.]+C / : new RegExp(` CPU \\[[^\\]]+\\] ${emc}GR3D_FREQ \\d+% \\S+@[\\d.]+C `));
    expect(notRoot).not.toMatch(/EMC_FREQ \d+%@|APE|@\[/);
    const { sample, unread } = readTegrastatsLine(notRoot);
    expect(unread).toEqual([]);
    expect(Object.keys(sample.gpu ?? {})).toEqual(sim.board.gpu.openRm ? [] : ["loadPct"]);
    expect(sample.emc ?? sample.engines).toBeUndefined();
    expect(Object.keys(sample.powerMW ?? {})).toEqual(facts.tegrastatsRails);
  });

  it("answers --help and refuses unknown options", async () => {
    const help = await runProgram(sim, "tegrastats", ["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--interval <millisec>");
    expect((await runProgram(sim, "tegrastats", ["--interval", "soon"])).code).toBe(1);
  });
});

describe("tegrastats over several samples", () => {
  let sim: SimulatedJetson & { remove(): Promise<void> };
  beforeAll(async () => {
    sim = await tempJetson("orin-nano-super-jp6");
  });
  afterAll(() => sim.remove());

  it("keeps printing one line per interval with running rail averages", async () => {
    const lines = await tegrastatsLines(sim, 3, 50);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/ VDD_IN (\d+)mW\/\1mW /); // steady load: average == current
  });
});
