import type { TelemetrySample } from "@jetson/protocol";
import type { HostPort } from "../host/port.js";
import { readInt } from "./sysfs.js";

type LoadFreq = NonNullable<TelemetrySample["emc"]>;

// The memory controller's clock (Hz): BPMP's debugfs (Xavier and later), the clock framework's
// (Nano, TX1, TX2), Thor's bwmgr devfreq. The debugfs ones need root.
const RATE_FILES = [
  "/sys/kernel/debug/bpmp/debug/clk/emc/rate",
  "/sys/kernel/debug/clk/emc/clk_rate",
  "/sys/class/devfreq/bwmgr/cur_freq",
];
// Activity monitors of all memory clients (kHz of busy cycles), where jtop reads EMC load.
const ACTMON_FILES = [
  "/sys/kernel/debug/cactmon/mc_all",
  "/sys/kernel/debug/bpmp/debug/actmon/mc_all_avg_activity",
  "/sys/kernel/actmon_avg_activity/mc_all",
];

export interface EmcFiles {
  rate?: string;
  activity?: string;
}

/** Where this board keeps the EMC's clock and activity; empty when neither is readable. */
export async function findEmc(host: HostPort): Promise<EmcFiles> {
  const first = async (files: readonly string[]) => {
    const values = await Promise.all(files.map((file) => readInt(host, file)));
    return files.find((_, i) => values[i] !== undefined);
  };
  const [rate, activity] = await Promise.all([first(RATE_FILES), first(ACTMON_FILES)]);
  return { ...(rate && { rate }), ...(activity && { activity }) };
}

/** Clock, and load as jtop computes it (activity over the clock in kHz); undefined when neither is readable. */
export async function readEmc(host: HostPort, files: EmcFiles): Promise<LoadFreq | undefined> {
  const [hz, activity] = await Promise.all([
    files.rate === undefined ? undefined : readInt(host, files.rate),
    files.activity === undefined ? undefined : readInt(host, files.activity),
  ]);
  if (hz === undefined || hz <= 0) return undefined;
  return {
    // Activity counted across a clock change can pass the new clock: a sample's load is 100 % at most.
    ...(activity === undefined ? {} : { loadPct: Math.min(100, Math.floor(activity / Math.floor(hz / 1000))) }),
    freqMHz: Math.floor(hz / 1e6),
  };
}
