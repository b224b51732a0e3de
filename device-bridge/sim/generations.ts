import type { JetpackGeneration, SimGeneration } from "./types.js";

/** Formats and layouts per JetPack generation, after the real outputs in shared/fixtures/jetson-real. */
/** nv_tegra_release's lines after the first from JetPack 6 on (out-of-tree kernel modules). */
const OOT_RELEASE_TAIL = [
  "# KERNEL_VARIANT: oot",
  "TARGET_USERSPACE_LIB_DIR=nvidia",
  "TARGET_USERSPACE_LIB_DIR_PATH=usr/lib/aarch64-linux-gnu/nvidia",
];

export const GENERATIONS: Record<JetpackGeneration, SimGeneration> = {
  4: {
    releaseTail: [],
    meminfoNvMap: true,
    ipRouteJson: false,
    libgpiod: "1.0",
    ina: "iio",
    fan: "pwm-fan",
    // nano-1.txt: no date, "POM_5V_IN 1750/1628", "GR3D_FREQ 0%@76"; without root "EMC_FREQ 0% GR3D_FREQ 99%"
    tegrastats: { datePrefix: false, railUnit: "", gpuFreqList: false, omitOfflineTemps: false, emcPlaceholder: true },
    jetsonClocks: { cpuLabelWidth: 0, onlinePerCpu: true, idleTrailingSpace: true, tpcLine: false, fanLine: "Fan: PWM={pwm}" },
  },
  5: {
    releaseTail: [],
    meminfoNvMap: true,
    ipRouteJson: true,
    libgpiod: "1.4.1",
    ina: "hwmon",
    fan: "hwmon",
    // xavier-nx-2.txt (5.1.2): date prefix, "VDD_IN 2763mW/2846mW", "GR3D_FREQ 0%@[114]", offline zones "@-256C";
    // without root "EMC_FREQ 0%" as on JetPack 4 (jtop's tegrastats emulator)
    tegrastats: { datePrefix: true, railUnit: "mW", gpuFreqList: true, omitOfflineTemps: false, emcPlaceholder: true },
    jetsonClocks: {
      cpuLabelWidth: 0,
      onlinePerCpu: true,
      idleTrailingSpace: true,
      tpcLine: false,
      fanLine: "FAN Dynamic Speed control=active hwmon0_pwm1={pwm}",
    },
  },
  6: {
    releaseTail: OOT_RELEASE_TAIL,
    meminfoNvMap: false,
    ipRouteJson: true,
    libgpiod: "1.6.3",
    ina: "hwmon",
    fan: "hwmon",
    // agx-orin-1.txt, orin-nano-1.txt: offline cv* zones are left out; orin-nano-2.txt (no root): no EMC_FREQ
    tegrastats: { datePrefix: true, railUnit: "mW", gpuFreqList: true, omitOfflineTemps: true, emcPlaceholder: false },
    // jetson_clocks-show/orin-nano-1.txt: "cpu0:  Online=1 ..." and an "Active GPU TPCs" line
    jetsonClocks: {
      cpuLabelWidth: 6,
      onlinePerCpu: true,
      idleTrailingSpace: false,
      tpcLine: true,
      fanLine: "FAN Dynamic Speed Control=kernel hwmon0_pwm1={pwm}",
    },
  },
  // JetPack 7.1 (L4T R38.4, agx-thor-*.txt): tegrastats prints rails now/avg in mW like JetPack 6;
  // nv_tegra_release keeps JetPack 6's four lines; jetson_clocks --show names the online cores only
  // in its "Online CPUs:" line (no Online= per core).
  7: {
    releaseTail: OOT_RELEASE_TAIL,
    meminfoNvMap: false,
    ipRouteJson: true,
    libgpiod: "2.1",
    ina: "hwmon",
    fan: "hwmon",
    tegrastats: { datePrefix: true, railUnit: "mW", gpuFreqList: true, omitOfflineTemps: true, emcPlaceholder: false },
    jetsonClocks: {
      cpuLabelWidth: 6,
      onlinePerCpu: false,
      idleTrailingSpace: false,
      tpcLine: true,
      fanLine: "FAN Dynamic Speed Control=kernel hwmon0_pwm1={pwm}",
    },
  },
};
