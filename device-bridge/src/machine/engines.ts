import type { TelemetrySample } from "@jetson/protocol";
import type { HostPort } from "../host/port.js";
import { readInt } from "./sysfs.js";

type Engine = NonNullable<TelemetrySample["engines"]>[string];

// The clock framework's debugfs (root only), where tegrastats and jtop read the engines' clocks.
const CLOCK_DIR = "/sys/kernel/debug/clk";

/** Each engine by the name tegrastats prints, with its clock folders in the order they are tried. */
const ENGINE_CLOCKS: Record<string, readonly string[]> = {
  APE: ["ape"],
  NVENC: ["nvenc", "msenc"],
  NVENC1: ["nvenc1"],
  NVDEC: ["nvdec"],
  NVDEC1: ["nvdec1"],
  NVJPG: ["nvjpg"],
  NVJPG1: ["nvjpg1"],
  VIC: ["vic", "vic03"],
  OFA: ["ofa"],
  NVDLA0: ["dla0_core"],
  NVDLA1: ["dla1_core"],
  PVA0: ["pva0_vps0"],
};

export interface EngineClock {
  name: string;
  dir: string;
}

/** The engines this board has: those whose clock folder answers (none without root). */
export async function findEngineClocks(host: HostPort): Promise<EngineClock[]> {
  const found = await Promise.all(
    Object.entries(ENGINE_CLOCKS).map(async ([name, clocks]) => {
      for (const clock of clocks) {
        const dir = `${CLOCK_DIR}/${clock}`;
        if ((await readInt(host, `${dir}/clk_rate`)) !== undefined) return { name, dir };
      }
      return undefined;
    }),
  );
  return found.filter((clock): clock is EngineClock => clock !== undefined);
}

/** Each engine on (its clock enabled, with its rate) or off, as tegrastats prints it; unreadable ones left out. */
export async function readEngines(host: HostPort, clocks: readonly EngineClock[]): Promise<Record<string, Engine>> {
  const read = await Promise.all(
    clocks.map(async ({ name, dir }) => {
      const [enabled, hz] = await Promise.all([readInt(host, `${dir}/clk_enable_count`), readInt(host, `${dir}/clk_rate`)]);
      if (enabled === undefined) return undefined;
      const engine: Engine = enabled > 0 && hz !== undefined ? { online: true, freqMHz: Math.floor(hz / 1e6) } : { online: false };
      return [name, engine] as const;
    }),
  );
  return Object.fromEntries(read.filter((entry) => entry !== undefined));
}
