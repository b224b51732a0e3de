import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { runParse } from "./parse.js";

const ORIN = "05-09-2026 18:42:06 RAM 18207/62841MB SWAP 86/31420MB CPU [14%@2188,off] GR3D_FREQ 0%@[0,0] cpu@52.562C VDD_CPU_CV 1607mW/1607mW";
const NANO = "RAM 1923/3964MB (lfb 2x2MB) CPU [5%@1224,4%@1224] EMC_FREQ 0%@1600 GR3D_FREQ 0%@76 POM_5V_IN 1750/1628";

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

async function run(kind: string, input: string) {
  const out = sink();
  const err = sink();
  const code = await runParse(kind, Readable.from([input]), out.stream, err.stream);
  return { code, out: out.text(), err: err.text() };
}

const jsonLines = (text: string): unknown[] =>
  text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as unknown);

describe("runParse tegrastats", () => {
  it("prints one JSON object per line", async () => {
    const { code, out, err } = await run("tegrastats", `${ORIN}\n${NANO}\n`);
    expect(code).toBe(0);
    expect(err).toBe("");
    expect(jsonLines(out)).toEqual([
      {
        time: "2026-05-09T18:42:06",
        ram: { usedMB: 18207, totalMB: 62841 },
        swap: { usedMB: 86, totalMB: 31420 },
        cpus: [{ loadPct: 14, freqMHz: 2188 }, { online: false }],
        gpu: { loadPct: 0, freqMHz: 0 },
        tempsC: { cpu: 52.562 },
        powerMW: { VDD_CPU_CV: { now: 1607, avg: 1607 } },
        totalPowerMW: 1607,
      },
      {
        ram: { usedMB: 1923, totalMB: 3964 },
        cpus: [
          { loadPct: 5, freqMHz: 1224 },
          { loadPct: 4, freqMHz: 1224 },
        ],
        emc: { loadPct: 0, freqMHz: 1600 },
        gpu: { loadPct: 0, freqMHz: 76 },
        powerMW: { POM_5V_IN: { now: 1750, avg: 1628 } },
        totalPowerMW: 1750,
      },
    ]);
  });

  it("reports a bad line with its number and text, goes on, and exits 1", async () => {
    const { code, out, err } = await run("tegrastats", `${ORIN}\nSegmentation fault\n\n${NANO}\n`);
    expect(code).toBe(1);
    expect(err).toBe("line 2: not a tegrastats line (no RAM field): Segmentation fault\n");
    expect(jsonLines(out).map((sample) => (sample as { ram: unknown }).ram)).toEqual([
      { usedMB: 18207, totalMB: 62841 },
      { usedMB: 1923, totalMB: 3964 },
    ]);
  });

  it("prints what it could read of a line with an unreadable field, names the field, and exits 1", async () => {
    const { code, out, err } = await run("tegrastats", "RAM 1/2MB GR3D_FREQ busy CPU 311/311\n");
    expect(code).toBe(1);
    expect(err).toBe('line 1: left out what could not be read: "GR3D_FREQ busy"\n');
    expect(jsonLines(out)).toEqual([{ ram: { usedMB: 1, totalMB: 2 }, powerMW: { CPU: { now: 311, avg: 311 } }, totalPowerMW: 311 }]);
  });

  it("prints each sample as its line arrives", async () => {
    const input = new PassThrough();
    const out = sink();
    const done = runParse("tegrastats", input, out.stream, sink().stream);
    input.write(`${NANO}\n`);
    await new Promise((resolve) => out.stream.once("data", resolve));
    expect(jsonLines(out.text())).toHaveLength(1);
    input.end(`${NANO}\n`);
    expect(await done).toBe(0);
    expect(jsonLines(out.text())).toHaveLength(2);
  });
});

describe("runParse documents", () => {
  it("reads nvpmodel -q output and mode tables", async () => {
    expect(await run("nvpmodel", "NV Power Mode: MODE_30W\n2\n")).toEqual({
      code: 0,
      out: '{"id":2,"name":"MODE_30W"}\n',
      err: "",
    });
    const table = await run("nvpmodel", "< POWER_MODEL ID=0 NAME=MAXN >\nGPU MAX_FREQ -1\n< PM_CONFIG DEFAULT=0 >\n");
    expect(JSON.parse(table.out)).toEqual({ defaultId: 0, modes: [{ id: 0, name: "MAXN", params: { gpuFreq: { maxHz: "max" } } }] });
  });

  it("reads jetson_clocks --show", async () => {
    const { code, out } = await run("jetson-clocks", "SOC family:tegra234  Machine:Jetson AGX Orin\nNV Power Mode: MAXN\n");
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ soc: "tegra234", machine: "Jetson AGX Orin", powerMode: "MAXN", cpus: [], lockedAtMax: false });
  });

  it("reads nv_tegra_release and the nvidia-l4t-core version", async () => {
    const file = await run("nv-tegra-release", "# R36 (release), REVISION: 4.3, GCID: 38968081, BOARD: generic, EABI: aarch64\n");
    expect(JSON.parse(file.out)).toEqual({ l4t: "36.4.3", major: 36, revision: "4.3", board: "generic", jetpack: "6.2" });
    const pkg = await run("nv-tegra-release", "36.4.4-20250616085344\n");
    expect(JSON.parse(pkg.out)).toEqual({ l4t: "36.4.4", major: 36, revision: "4.4", jetpack: "6.2.1" });
  });

  it("exits 1 with the parser's message when the input is not that kind", async () => {
    expect(await run("nvpmodel", "command not found\n")).toEqual({
      code: 1,
      out: "",
      err: "nvpmodel: nvpmodel -q: no 'NV Power Mode:' line\n",
    });
  });
});

describe("runParse input", () => {
  it.each(["tegrastats", "nvpmodel"])("exits 1 saying so when %s input cannot be read", async (kind) => {
    const input = new Readable({ read() {} });
    const err = sink();
    const done = runParse(kind, input, sink().stream, err.stream);
    input.destroy(new Error("ENOENT: no such file or directory, open 'missing.txt'"));
    expect(await done).toBe(1);
    expect(err.text()).toBe("cannot read input: ENOENT: no such file or directory, open 'missing.txt'\n");
  });
});

describe("runParse kinds", () => {
  it("exits 2 listing the kinds for an unknown kind", async () => {
    expect(await run("tegrastat", "")).toEqual({
      code: 2,
      out: "",
      err: 'unknown kind "tegrastat"; kinds: tegrastats, nvpmodel, jetson-clocks, nv-tegra-release\n',
    });
  });
});
