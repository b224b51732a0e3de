import type { HostPort } from "../host/port.js";
import { readInt, readWord } from "./sysfs.js";

const DEVFREQ = "/sys/class/devfreq";
// Device-tree names of the integrated GPU from TX1/Nano (gpu) and TX2 (gp10b) to Thor (gb10b).
const GPU_NODES = new Set(["gpu", "gp10b", "gv11b", "ga10b", "gb10b"]);

/** The devfreq folder of the Jetson's GPU, found by its device-tree name (devfreq numbering differs per board). */
export async function findJetsonGpu(host: HostPort): Promise<string | undefined> {
  for (const node of await host.listDir(DEVFREQ)) {
    const ofName = await readWord(host, `${DEVFREQ}/${node}/device/of_node/name`);
    if (ofName !== undefined && GPU_NODES.has(ofName)) return `${DEVFREQ}/${node}`;
  }
  return undefined;
}

/** Load (device/load is per mille) and current clock; undefined when neither is readable. */
export async function readJetsonGpu(host: HostPort, dir: string): Promise<{ loadPct?: number; freqMHz?: number } | undefined> {
  const [hz, perMille] = await Promise.all([readInt(host, `${dir}/cur_freq`), readInt(host, `${dir}/device/load`)]);
  if (hz === undefined && perMille === undefined) return undefined;
  return {
    ...(perMille === undefined ? {} : { loadPct: Math.round(perMille / 10) }),
    ...(hz === undefined ? {} : { freqMHz: Math.floor(hz / 1e6) }),
  };
}
