import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TelemetrySampleSchema } from "@jetson/protocol";
import { NodeHost } from "../host/node-host.js";
import { fixturesMissing, readFixture } from "../parsers/fixtures.js";
import { parseTegrastatsLine } from "../parsers/tegrastats.js";
import { SysfsReader } from "./sysfs-reader.js";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A machine root holding only `files` (machine path -> content). */
async function machineWith(files: Record<string, string | number>): Promise<NodeHost> {
  dir = await mkdtemp(path.join(tmpdir(), "sysfs-reader-"));
  for (const [file, content] of Object.entries(files)) {
    const onHost = path.join(dir, file);
    await mkdir(path.dirname(onHost), { recursive: true });
    await writeFile(onHost, `${content}\n`);
  }
  return new NodeHost({ root: dir, programDirs: [], defaultTimeoutMs: 5_000, defaultMaxOutputBytes: 1 << 20 });
}

// JetPack 5.1 AGX Orin's thermal zones in order, with the values its tegrastats printed (agx-orin-5.txt).
const AGX_ORIN_JP5_ZONES: [type: string, milliC: number][] = [
  ["CV0-therm", -256_000],
  ["CPU-therm", 42_593],
  ["Tboard_tegra", 32_000],
  ["SOC2-therm", 39_343],
  ["Tdiode_tegra", 33_250],
  ["SOC0-therm", 39_375],
  ["CV1-therm", -256_000],
  ["GPU-therm", -256_000],
  ["tj-therm", 42_593],
  ["SOC1-therm", 40_468],
  ["CV2-therm", -256_000],
];

describe("the sysfs reader", () => {
  it.skipIf(fixturesMissing("agx-orin-5 tegrastats"))("keys every thermal zone as tegrastats does, Tboard_tegra as tboard (AGX Orin, JetPack 5.1)", async () => {
    const zones = Object.fromEntries(
      AGX_ORIN_JP5_ZONES.flatMap(([type, milliC], i) => [
        [`/sys/class/thermal/thermal_zone${i}/type`, type],
        [`/sys/class/thermal/thermal_zone${i}/temp`, milliC],
      ]),
    );
    const sample = await new SysfsReader(await machineWith(zones)).read();
    expect(sample.tempsC).toStrictEqual(parseTegrastatsLine(readFixture("tegrastats", "agx-orin-5.txt")).tempsC);
  });

  it("reads the EMC's clock and load (BPMP debugfs and actmon) and each engine's clock, on or off", async () => {
    const host = await machineWith({
      "/sys/kernel/debug/bpmp/debug/clk/emc/rate": 2_133_000_000,
      "/sys/kernel/debug/cactmon/mc_all": 6_399_000,
      "/sys/kernel/debug/clk/nvenc/clk_rate": 166_400_000,
      "/sys/kernel/debug/clk/nvenc/clk_enable_count": 1,
      "/sys/kernel/debug/clk/dla0_core/clk_rate": 1_600_000_000,
      "/sys/kernel/debug/clk/dla0_core/clk_enable_count": 0,
      "/sys/kernel/debug/clk/ape/clk_rate": 174_000_000,
      "/sys/kernel/debug/clk/ape/clk_enable_count": 2,
    });
    const sample = await new SysfsReader(host).read();
    expect(sample.emc).toStrictEqual({ loadPct: 3, freqMHz: 2133 });
    expect(sample.engines).toStrictEqual({
      APE: { online: true, freqMHz: 174 },
      NVENC: { online: true, freqMHz: 166 },
      NVDLA0: { online: false },
    });
  });

  it("counts the EMC's load at 100 % at most, though actmon's count can pass the clock it just changed to", async () => {
    const host = await machineWith({ "/sys/kernel/debug/bpmp/debug/clk/emc/rate": 665_000_000, "/sys/kernel/debug/cactmon/mc_all": 70_000_000 });
    const sample = await new SysfsReader(host).read();
    expect(sample.emc).toStrictEqual({ loadPct: 100, freqMHz: 665 });
    expect(TelemetrySampleSchema.safeParse(sample).success).toBe(true);
  });

  it("reads Thor's EMC clock from its bwmgr devfreq, and leaves out what it cannot read", async () => {
    const sample = await new SysfsReader(await machineWith({ "/sys/class/devfreq/bwmgr/cur_freq": 665_000_000 })).read();
    expect(sample.emc).toStrictEqual({ freqMHz: 665 });
    expect(sample.engines).toBeUndefined();
  });
});
