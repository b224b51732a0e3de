// What the real boards look like, written down independently of boards.ts so tests check the table against it.
import type { SimBoardId } from "./types.js";

export interface BoardFacts {
  cpus: number;
  soc: string;
  /** Lines in /etc/nv_tegra_release. */
  releaseLines: number;
  /** Rails tegrastats prints. */
  tegrastatsRails: string[];
  /** Labels of every INA3221 channel in sysfs, NC included. */
  sysfsRails: string[];
  thermalZones: string[];
  gpuNode: string;
  /** The GPU's devfreq node where it is not <address>.<gpuNode> (Thor: jtop's THOR_GPC). */
  gpuDevfreq?: string;
  modes: Record<number, string>;
  defaultMode: number;
  hasNvMap: boolean;
}

const ORIN_ZONES = [
  "cpu-thermal",
  "gpu-thermal",
  "cv0-thermal",
  "cv1-thermal",
  "cv2-thermal",
  "soc0-thermal",
  "soc1-thermal",
  "soc2-thermal",
  "tj-thermal",
];

export const BOARD_FACTS: Record<SimBoardId, BoardFacts> = {
  "nano-jp46": {
    cpus: 4,
    soc: "tegra210",
    releaseLines: 1,
    tegrastatsRails: ["POM_5V_IN", "POM_5V_GPU", "POM_5V_CPU"],
    sysfsRails: ["POM_5V_IN", "POM_5V_GPU", "POM_5V_CPU"],
    thermalZones: ["AO-therm", "CPU-therm", "GPU-therm", "PLL-therm", "PMIC-Die", "thermal-fan-est"],
    gpuNode: "gpu",
    modes: { 0: "MAXN", 1: "5W" },
    defaultMode: 0,
    hasNvMap: true,
  },
  "xavier-nx-jp51": {
    cpus: 6,
    soc: "tegra194",
    releaseLines: 1,
    tegrastatsRails: ["VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"],
    sysfsRails: ["VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"],
    thermalZones: ["AUX-therm", "CPU-therm", "thermal-fan-est", "AO-therm", "GPU-therm", "PMIC-Die"],
    gpuNode: "gv11b",
    modes: { 0: "MODE_15W_2CORE", 1: "MODE_15W_4CORE", 2: "MODE_15W_6CORE", 3: "MODE_10W_2CORE", 8: "MODE_20W_6CORE" },
    defaultMode: 2,
    hasNvMap: true,
  },
  "agx-orin-jp6": {
    cpus: 12,
    soc: "tegra234",
    releaseLines: 4,
    tegrastatsRails: ["VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0"],
    sysfsRails: ["VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0", "NC", "VDDQ_VDD2_1V8AO", "NC"],
    thermalZones: ORIN_ZONES,
    gpuNode: "gpu",
    modes: { 0: "MAXN", 1: "MODE_15W", 2: "MODE_30W", 3: "MODE_50W" },
    defaultMode: 2,
    hasNvMap: false,
  },
  "orin-nano-super-jp6": {
    cpus: 6,
    soc: "tegra234",
    releaseLines: 4,
    tegrastatsRails: ["VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"],
    sysfsRails: ["VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"],
    thermalZones: ORIN_ZONES,
    gpuNode: "gpu",
    modes: { 0: "15W", 1: "25W", 2: "MAXN_SUPER", 3: "7W" },
    defaultMode: 1,
    hasNvMap: false,
  },
  "agx-xavier-jp51": {
    cpus: 8,
    soc: "tegra194",
    releaseLines: 1,
    tegrastatsRails: ["GPU", "CPU", "SOC", "CV", "VDDRQ", "SYS5V"],
    sysfsRails: ["GPU", "CPU", "SOC", "CV", "VDDRQ", "SYS5V"],
    thermalZones: ["AO-therm", "GPU-therm", "iwlwifi", "PMIC-Die", "AUX-therm", "CPU-therm", "thermal-fan-est"],
    gpuNode: "gv11b",
    modes: { 0: "MAXN", 1: "MODE_10W", 2: "MODE_15W", 3: "MODE_30W_ALL", 4: "MODE_30W_6CORE", 5: "MODE_30W_4CORE", 6: "MODE_30W_2CORE" },
    defaultMode: 2,
    hasNvMap: true,
  },
  "orin-nx-16gb-super-jp62": {
    cpus: 8,
    soc: "tegra234",
    releaseLines: 4,
    tegrastatsRails: ["VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"],
    sysfsRails: ["VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"],
    thermalZones: ORIN_ZONES,
    gpuNode: "gpu",
    modes: { 0: "MAXN_SUPER", 1: "10W", 2: "15W", 3: "25W", 4: "40W" },
    defaultMode: 4,
    hasNvMap: false,
  },
  "agx-thor-jp7": {
    cpus: 14,
    soc: "tegra264",
    releaseLines: 4,
    tegrastatsRails: ["VDD_GPU", "VDD_CPU_SOC_MSS", "VIN_SYS_5V0"],
    sysfsRails: ["VDD_GPU", "VDD_CPU_SOC_MSS", "VIN_SYS_5V0"],
    thermalZones: ["cpu-thermal", "tj-thermal", "soc012-thermal", "soc345-thermal"],
    gpuNode: "gb10b",
    gpuDevfreq: "gpu-gpc-0",
    modes: { 0: "MAXN", 1: "120W", 2: "90W", 3: "70W" },
    defaultMode: 1,
    hasNvMap: false,
  },
};
