import path from "node:path";
import { ETC_GROUP, ETC_PASSWD } from "./accounts.js";
import { CALL_LOG, CPU_ROOT, ENGINE_CLOCK_DIR, SIM_STATE_DIR } from "./layout.js";
import { cudaVersionFile, deviceTreeStrings, nvfancontrolConf, nvpmodelConf, nvTegraRelease } from "./render.js";
import type { SimBoardFile } from "./types.js";

/** The files a simulated board starts with, by machine path, and the symlinks sysfs has. */
export interface SimTree {
  files: Map<string, string>;
  /** link path -> path it points to; both machine paths, written as relative links so they stay in the root. */
  links: Map<string, string>;
}

/**
 * The hardware side of a simulated board: identity, the sysfs files of its devices with
 * their fixed values and limits. Values that move (clocks, temperatures, power, /proc
 * counters) are written afterwards by the machine (programs/lib/jetson-sim/machine.mjs).
 */
/** Software throttling from 99 °C (passive), shutdown at 105 °C (critical): the Orin module's thermal design limits. */
const TRIP_POINTS = [
  { type: "passive", mC: 99_000 },
  { type: "critical", mC: 105_000 },
];

export function simTree(spec: SimBoardFile, hostname: string): SimTree {
  const { board, generation, layout } = spec;
  const files = new Map<string, string>();
  const links = new Map<string, string>();
  const put = (file: string, content: string | number) => files.set(file, typeof content === "number" ? `${content}\n` : content);

  put("/etc/hostname", `${hostname}\n`);
  put("/etc/passwd", ETC_PASSWD);
  put("/etc/group", ETC_GROUP);
  // Ubuntu points /etc/resolv.conf at systemd-resolved's stub; the servers it asks are in its own file.
  put("/etc/resolv.conf", RESOLV_STUB);
  put("/run/systemd/resolve/resolv.conf", RESOLV_UPSTREAM);
  put("/etc/nv_tegra_release", nvTegraRelease(board, generation));
  put("/etc/nvpmodel.conf", nvpmodelConf(board, layout));
  put("/proc/sys/kernel/osrelease", `${board.kernelRelease}\n`);
  // uname -v: L4T kernels are built on the day of the release.
  put("/proc/sys/kernel/version", `#1 SMP PREEMPT ${board.l4t.date}\n`);
  put(...cudaVersionFile(board.cuda));
  // NVIDIA's fan daemon arrives with JetPack 5; JetPack 4 has only the pwm-fan driver.
  if (generation.fan === "hwmon") put("/etc/nvfancontrol.conf", nvfancontrolConf(board));
  // /proc/device-tree is a link to the firmware's tree, as on a board.
  links.set("/proc/device-tree", "/sys/firmware/devicetree/base");
  put("/sys/firmware/devicetree/base/model", deviceTreeStrings([board.model]));
  put("/sys/firmware/devicetree/base/compatible", deviceTreeStrings(board.compatible));
  if (board.dtsFilename !== undefined) put("/sys/firmware/devicetree/base/nvidia,dtsfilename", deviceTreeStrings([board.dtsFilename]));
  if (board.serialNumber !== undefined) put("/sys/firmware/devicetree/base/serial-number", deviceTreeStrings([board.serialNumber]));

  const allCpus = `0-${layout.cpuCount - 1}\n`;
  put(`${CPU_ROOT}/present`, allCpus);
  put(`${CPU_ROOT}/possible`, allCpus);
  const cpuFreqs = board.cpu.freqsKHz;
  for (let cpu = 0; cpu < layout.cpuCount; cpu++) {
    const dir = `${CPU_ROOT}/cpu${cpu}/cpufreq`;
    put(`${CPU_ROOT}/cpu${cpu}/online`, 1);
    put(`${dir}/scaling_available_frequencies`, frequencyList(cpuFreqs));
    put(`${dir}/cpuinfo_min_freq`, first(cpuFreqs));
    put(`${dir}/cpuinfo_max_freq`, last(cpuFreqs));
    put(`${dir}/scaling_min_freq`, first(cpuFreqs));
    put(`${dir}/scaling_max_freq`, last(cpuFreqs));
    put(`${dir}/scaling_cur_freq`, first(cpuFreqs));
    put(`${dir}/scaling_governor`, `${board.cpu.governor}\n`);
  }

  const { gpu } = layout;
  const gpuFreqs = board.gpu.freqsHz;
  put(`${gpu.devfreqDir}/available_frequencies`, frequencyList(gpuFreqs));
  put(`${gpu.devfreqDir}/min_freq`, first(gpuFreqs));
  put(`${gpu.devfreqDir}/max_freq`, last(gpuFreqs));
  put(`${gpu.devfreqDir}/cur_freq`, first(gpuFreqs));
  put(`${gpu.devfreqDir}/governor`, "nvhost_podgov\n");
  put(gpu.loadFile, 0);
  // A device-tree property like model: NUL-terminated. On a board of_node is a link into the firmware tree.
  put(gpu.ofNameFile, deviceTreeStrings([board.gpu.ofName]));
  put(gpu.powerControlFile, "auto\n");
  if (gpu.tpcMaskFile) put(gpu.tpcMaskFile, 0);
  links.set(gpu.classDir, gpu.devfreqDir);
  links.set(`${gpu.devfreqDir}/device`, path.posix.dirname(path.posix.dirname(gpu.devfreqDir)));
  put(layout.emcCapFile, 0);
  if (layout.emcRateFile) put(layout.emcRateFile, board.emc.idleHz);
  for (const { file } of board.engineCaps ?? []) put(file, 0);
  // Engine clocks in debugfs, where tegrastats and jtop read them (root only on a board).
  for (const engine of board.tegrastats.engines) {
    put(`${ENGINE_CLOCK_DIR}/${engine.clock}/clk_rate`, engine.mhz * 1e6);
    put(`${ENGINE_CLOCK_DIR}/${engine.clock}/clk_enable_count`, engine.on ? 1 : 0);
  }

  layout.thermalZones.forEach((zone, i) => {
    put(`${zone.dir}/type`, `${zone.type}\n`);
    // Sensors that follow load have the trip points the thermal governor acts on; placeholders have none.
    if (zone.perLoadMC > 0) {
      TRIP_POINTS.forEach(({ type, mC }, n) => {
        put(`${zone.dir}/trip_point_${n}_type`, `${type}\n`);
        put(`${zone.dir}/trip_point_${n}_temp`, mC);
      });
    }
    links.set(`/sys/class/thermal/thermal_zone${i}`, zone.dir);
  });
  for (const rail of layout.rails) put(rail.labelFile, `${rail.label}\n`);
  if (layout.fan.nameFile) put(layout.fan.nameFile, "pwmfan\n");
  put(layout.fan.pwmFile, board.fan.initialPwm);
  if (layout.fan.tempControlFile) put(layout.fan.tempControlFile, 1);

  put(`${SIM_STATE_DIR}/board.json`, `${JSON.stringify(spec, null, 2)}\n`);
  put(CALL_LOG, "");
  return { files, links };
}

const RESOLV_STUB = `# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).
# Do not edit.
nameserver 127.0.0.53
options edns0 trust-ad
search lan
`;

const RESOLV_UPSTREAM = `# This is /run/systemd/resolve/resolv.conf managed by man:systemd-resolved(8).
# Do not edit.
nameserver 192.168.1.1
search lan
`;

// sysfs frequency tables are space-separated with a trailing space.
function frequencyList(values: readonly number[]): string {
  return `${values.join(" ")} \n`;
}

function first(values: readonly number[]): number {
  const value = values[0];
  if (value === undefined) throw new Error("empty frequency table");
  return value;
}

function last(values: readonly number[]): number {
  return first(values.slice(-1));
}
