import { NO_CAP, type SimBoard, type SimBoardId, type SimThermalZone } from "./types.js";

/** first, first+step, ... up to last: the evenly spaced part of a clock table. */
function grid(first: number, step: number, last: number): number[] {
  const values: number[] = [];
  for (let value = first; value <= last; value += step) values.push(value);
  return values;
}

const OFFLINE_MC = -256000;

// Orin zones in thermal_zoneN order; the CV (DLA/PVA) sensors read offline while those engines are idle.
function orinZones(idle: Record<"cpu" | "gpu" | "soc0" | "soc1" | "soc2" | "tj", number>): SimThermalZone[] {
  return [
    { type: "cpu-thermal", idleMC: idle.cpu, perLoadMC: 25000 },
    { type: "gpu-thermal", idleMC: idle.gpu, perLoadMC: 22000 },
    { type: "cv0-thermal", idleMC: OFFLINE_MC, perLoadMC: 0 },
    { type: "cv1-thermal", idleMC: OFFLINE_MC, perLoadMC: 0 },
    { type: "cv2-thermal", idleMC: OFFLINE_MC, perLoadMC: 0 },
    { type: "soc0-thermal", idleMC: idle.soc0, perLoadMC: 12000 },
    { type: "soc1-thermal", idleMC: idle.soc1, perLoadMC: 12000 },
    { type: "soc2-thermal", idleMC: idle.soc2, perLoadMC: 12000 },
    { type: "tj-thermal", idleMC: idle.tj, perLoadMC: 25000 },
  ];
}

// Order of the agx-orin-5 (JetPack 5) fixture's zones with the JetPack 6 names; orin-nano-1 agrees.
const ORIN_TEMP_ORDER = ["cv0", "cpu", "soc2", "soc0", "cv1", "gpu", "tj", "soc1", "cv2"];
// One Orin thermal sensor step is 1/32 °C.
const ORIN_THERMAL_STEP_MC = 31.25;

// GPIO ports of the tegra186 driver (drivers/gpio/gpio-tegra186.c), which names line n of port X "PX.0n".
const TEGRA194_MAIN_PORTS: [string, number][] = [
  ["A", 8], ["B", 2], ["C", 8], ["D", 4], ["E", 8], ["F", 6], ["G", 8], ["H", 8], ["I", 5], ["J", 6],
  ["K", 8], ["L", 4], ["M", 8], ["N", 3], ["O", 6], ["P", 8], ["Q", 8], ["R", 6], ["S", 8], ["T", 8],
  ["U", 1], ["V", 8], ["W", 2], ["X", 8], ["Y", 8], ["Z", 8], ["FF", 2], ["GG", 2],
];
const TEGRA194_AON_PORTS: [string, number][] = [["AA", 8], ["BB", 4], ["CC", 8], ["DD", 3], ["EE", 7]];
const TEGRA234_MAIN_PORTS: [string, number][] = [
  ["A", 8], ["B", 1], ["C", 8], ["D", 4], ["E", 8], ["F", 6], ["G", 8], ["H", 8], ["I", 7], ["J", 6],
  ["K", 8], ["L", 4], ["M", 8], ["N", 8], ["P", 8], ["Q", 8], ["R", 6], ["X", 8], ["Y", 8], ["Z", 8],
  ["AC", 8], ["AD", 4], ["AE", 2], ["AF", 4], ["AG", 8],
];
const TEGRA234_AON_PORTS: [string, number][] = [["AA", 8], ["BB", 4], ["CC", 8], ["DD", 3], ["EE", 8], ["GG", 1]];
const ORIN_GPIO_CHIPS = [
  { label: "tegra234-gpio", lines: 164, ports: TEGRA234_MAIN_PORTS },
  { label: "tegra234-gpio-aon", lines: 32, ports: TEGRA234_AON_PORTS },
];

const nano: SimBoard = {
  id: "nano-jp46",
  description: "Jetson Nano 4GB Developer Kit, JetPack 4.6.6",
  jetpack: "4.6.6",
  generation: 4,
  l4t: { major: 32, revision: "7.6", gcid: 38171779, board: "t210ref", date: "Tue Nov  5 07:46:14 UTC 2024" },
  kernelRelease: "4.9.337-tegra",
  model: "NVIDIA Jetson Nano Developer Kit",
  compatible: ["nvidia,p3449-0000-b00+p3448-0000-b00", "nvidia,jetson-nano", "nvidia,tegra210"],
  serialNumber: "1422019072517",
  memTotalKB: 4059136,
  swapTotalKB: 2029568,
  cpu: {
    clusters: [{ name: "CPU_A57", cpus: [0, 1, 2, 3] }],
    freqsKHz: [
      102000, 204000, 307200, 403200, 518400, 614400, 710400, 825600, 921600, 1036800, 1132800, 1224000, 1326000,
      1428000, 1479000,
    ],
    modeMinKHz: 0,
    governor: "schedutil",
  },
  gpu: {
    devicePath: "/sys/devices/gpu.0",
    address: "57000000",
    ofName: "gpu",
    controlPath: "/sys/devices/gpu.0",
    freqsHz: grid(76800000, 76800000, 921600000),
    gpcs: 1,
  },
  emc: { minHz: 204000000, maxHz: 1600000000, idleHz: 1600000000 },
  thermalStepMC: 500,
  thermalZones: [
    { type: "AO-therm", idleMC: 45000, perLoadMC: 5000 },
    { type: "CPU-therm", idleMC: 40000, perLoadMC: 25000 },
    { type: "GPU-therm", idleMC: 40000, perLoadMC: 20000 },
    { type: "PLL-therm", idleMC: 37000, perLoadMC: 15000 },
    { type: "PMIC-Die", idleMC: 100000, perLoadMC: 0 },
    { type: "thermal-fan-est", idleMC: 40000, perLoadMC: 20000 },
  ],
  rails: [
    { label: "POM_5V_IN", device: "6-0040", channel: 0, idleMW: 1750, perLoadMW: 5000 },
    { label: "POM_5V_GPU", device: "6-0040", channel: 1, idleMW: 40, perLoadMW: 2500 },
    { label: "POM_5V_CPU", device: "6-0040", channel: 2, idleMW: 366, perLoadMW: 2000 },
  ],
  fan: { initialPwm: 0, maxRpm: 5000 },
  modes: [
    { id: 0, name: "MAXN", onlineCpus: 4, cpuMaxKHz: NO_CAP, gpuMaxHz: NO_CAP, emcMaxHz: 0 },
    { id: 1, name: "5W", onlineCpus: 2, cpuMaxKHz: 918000, gpuMaxHz: 640000000, emcMaxHz: 1600000000 },
  ],
  defaultMode: 0,
  tegrastats: {
    tempOrder: ["PLL", "CPU", "PMIC", "GPU", "AO", "thermal"],
    engines: [{ label: "APE", clock: "ape", mhz: 25, on: true }],
    iram: "IRAM 0/252kB(lfb 252kB)",
  },
  cuda: "10.2.300",
  // JetPack 4's tegra-gpio driver leaves its lines unnamed.
  gpioChips: [
    { label: "tegra-gpio", lines: 256 },
    { label: "max77620-gpio", lines: 8 },
  ],
  jetsonClocksEngines: [],
  nvpmodelWarnings: ["NVPM WARN: fan mode is not set!"],
};

const xavierNx: SimBoard = {
  id: "xavier-nx-jp51",
  description: "Jetson Xavier NX Developer Kit, JetPack 5.1.2",
  jetpack: "5.1.2",
  generation: 5,
  l4t: { major: 35, revision: "4.1", gcid: 33958178, board: "t186ref", date: "Tue Aug  1 19:57:35 UTC 2023" },
  kernelRelease: "5.10.120-tegra",
  model: "NVIDIA Jetson Xavier NX Developer Kit",
  compatible: ["nvidia,p3509-0000+p3668-0000", "nvidia,p3668-0000", "nvidia,tegra194"],
  memTotalKB: 7015424,
  swapTotalKB: 3508224,
  cpu: {
    // nvpmodel.conf names the Carmel clusters CPU_DENVER_N (see nvpmodel-q-verbose/xavier-nx-1.txt)
    clusters: [
      { name: "CPU_DENVER_0", cpus: [0, 1] },
      { name: "CPU_DENVER_1", cpus: [2, 3] },
      { name: "CPU_DENVER_2", cpus: [4, 5] },
    ],
    freqsKHz: [...grid(115200, 76800, 1881600), 1907200],
    modeMinKHz: 1190400,
    governor: "schedutil",
  },
  gpu: {
    devicePath: "/sys/devices/17000000.gv11b",
    address: "17000000",
    ofName: "gv11b",
    controlPath: "/sys/devices/gpu.0",
    freqsHz: [
      114750000, 204000000, 306000000, 408000000, 510000000, 599250000, 701250000, 803250000, 905250000, 1007250000,
      1109250000,
    ],
    gpcs: 1,
    tpcs: 3,
  },
  emc: { minHz: 204000000, maxHz: 1866000000, idleHz: 204000000 },
  thermalStepMC: 500,
  thermalZones: [
    { type: "AUX-therm", idleMC: 45000, perLoadMC: 15000 },
    { type: "CPU-therm", idleMC: 46500, perLoadMC: 25000 },
    { type: "thermal-fan-est", idleMC: 45500, perLoadMC: 20000 },
    { type: "AO-therm", idleMC: 45000, perLoadMC: 4000 },
    { type: "GPU-therm", idleMC: 45500, perLoadMC: 20000 },
    { type: "PMIC-Die", idleMC: 50000, perLoadMC: 0 },
  ],
  rails: [
    { label: "VDD_IN", device: "7-0040", channel: 1, idleMW: 2763, perLoadMW: 9000 },
    { label: "VDD_CPU_GPU_CV", device: "7-0040", channel: 2, idleMW: 650, perLoadMW: 5500 },
    { label: "VDD_SOC", device: "7-0040", channel: 3, idleMW: 650, perLoadMW: 1500 },
  ],
  fan: { initialPwm: 40, maxRpm: 5000 },
  modes: [
    { id: 0, name: "MODE_15W_2CORE", onlineCpus: 2, cpuMaxKHz: 1907200, gpuMaxHz: 1109250000, emcMaxHz: 1600000000, tpcPgMask: 1 },
    { id: 1, name: "MODE_15W_4CORE", onlineCpus: 4, cpuMaxKHz: 1420800, gpuMaxHz: 1109250000, emcMaxHz: 1600000000, tpcPgMask: 1 },
    { id: 2, name: "MODE_15W_6CORE", onlineCpus: 6, cpuMaxKHz: 1420800, gpuMaxHz: 1109250000, emcMaxHz: 1600000000, tpcPgMask: 1 },
    { id: 3, name: "MODE_10W_2CORE", onlineCpus: 2, cpuMaxKHz: 1497600, gpuMaxHz: 803250000, emcMaxHz: 1600000000, tpcPgMask: 1 },
    { id: 4, name: "MODE_10W_4CORE", onlineCpus: 4, cpuMaxKHz: 1190400, gpuMaxHz: 803250000, emcMaxHz: 1600000000, tpcPgMask: 1 },
    { id: 5, name: "MODE_10W_DESKTOP", onlineCpus: 4, cpuMaxKHz: 1190400, gpuMaxHz: 599250000, emcMaxHz: 1600000000, tpcPgMask: 1 },
    { id: 6, name: "MODE_20W_2CORE", onlineCpus: 2, cpuMaxKHz: 1907200, gpuMaxHz: 1109250000, emcMaxHz: 0, tpcPgMask: 0 },
    { id: 7, name: "MODE_20W_4CORE", onlineCpus: 4, cpuMaxKHz: 1420800, gpuMaxHz: 1109250000, emcMaxHz: 0, tpcPgMask: 0 },
    { id: 8, name: "MODE_20W_6CORE", onlineCpus: 6, cpuMaxKHz: 1420800, gpuMaxHz: 1109250000, emcMaxHz: 0, tpcPgMask: 0 },
  ],
  defaultMode: 2,
  tegrastats: {
    tempOrder: ["AUX", "CPU", "thermal", "AO", "GPU", "PMIC"],
    engines: [
      { label: "VIC_FREQ", clock: "vic", mhz: 115, on: true },
      { label: "APE", clock: "ape", mhz: 150, on: true },
    ],
  },
  cuda: "11.4.315",
  gpioChips: [
    { label: "tegra194-gpio", lines: 169, ports: TEGRA194_MAIN_PORTS },
    { label: "tegra194-gpio-aon", lines: 30, ports: TEGRA194_AON_PORTS },
  ],
  jetsonClocksEngines: [],
  nvpmodelWarnings: [],
};

// nvpmodel-p-verbose/agx-orin-1.txt: both DLAs share a mode's core and falcon caps.
const ORIN_HOST1X = "/sys/devices/platform/13e40000.host1x";
const ORIN_ENGINE_CAPS = [
  { name: "DLA0_CORE", file: `${ORIN_HOST1X}/15880000.nvdla0/acm/clk_cap/dla0_core` },
  { name: "DLA0_FALCON", file: `${ORIN_HOST1X}/15880000.nvdla0/acm/clk_cap/dla0_falcon` },
  { name: "DLA1_CORE", file: `${ORIN_HOST1X}/158c0000.nvdla1/acm/clk_cap/dla1_core` },
  { name: "DLA1_FALCON", file: `${ORIN_HOST1X}/158c0000.nvdla1/acm/clk_cap/dla1_falcon` },
  { name: "PVA0_VPS", file: `${ORIN_HOST1X}/16000000.pva0/acm/clk_cap/pva0_vps` },
  { name: "PVA0_AXI", file: `${ORIN_HOST1X}/16000000.pva0/acm/clk_cap/pva0_cpu_axi` },
];
const orinEngineCaps = (dlaCore: number, dlaFalcon: number, pvaVps: number, pvaAxi: number): Record<string, number> => ({
  DLA0_CORE: dlaCore,
  DLA0_FALCON: dlaFalcon,
  DLA1_CORE: dlaCore,
  DLA1_FALCON: dlaFalcon,
  PVA0_VPS: pvaVps,
  PVA0_AXI: pvaAxi,
});

/** The Orin family's GPU, as its device tree places it on every module. */
const ORIN_GPU_DEVICE = {
  devicePath: "/sys/devices/platform/bus@0/17000000.gpu",
  address: "17000000",
  ofName: "gpu",
  controlPath: "/sys/devices/platform/bus@0/17000000.gpu",
};

/** An Orin's engines as tegrastats names them and debugfs clocks them; only the DLA, PVA and APE clocks differ by module. */
const orinEngines = ({ dlaMHz, pvaMHz, apeMHz }: { dlaMHz: number; pvaMHz: number; apeMHz: number }) => [
  { label: "NVENC", clock: "nvenc", mhz: 1113, on: false },
  { label: "NVDEC", clock: "nvdec", mhz: 1113, on: false },
  { label: "NVJPG", clock: "nvjpg", mhz: 729, on: false },
  { label: "NVJPG1", clock: "nvjpg1", mhz: 729, on: false },
  { label: "VIC", clock: "vic", mhz: 729, on: false },
  { label: "OFA", clock: "ofa", mhz: 729, on: false },
  { label: "NVDLA0", clock: "dla0_core", mhz: dlaMHz, on: false },
  { label: "NVDLA1", clock: "dla1_core", mhz: dlaMHz, on: false },
  { label: "PVA0_FREQ", clock: "pva0_vps0", mhz: pvaMHz, on: false },
  { label: "APE", clock: "ape", mhz: apeMHz, on: true },
];

const agxOrin: SimBoard = {
  id: "agx-orin-jp6",
  description: "Jetson AGX Orin 64GB Developer Kit, JetPack 6.2.1",
  jetpack: "6.2.1",
  generation: 6,
  l4t: { major: 36, revision: "4.4", gcid: 41062509, board: "generic", date: "Mon Jun 16 16:07:13 UTC 2025" },
  kernelRelease: "5.15.148-tegra",
  model: "NVIDIA Jetson AGX Orin Developer Kit",
  compatible: ["nvidia,p3737-0000+p3701-0000", "nvidia,p3701-0000", "nvidia,tegra234"],
  serialNumber: "1424122012345",
  memTotalKB: 64349184,
  swapTotalKB: 32174080,
  cpu: {
    clusters: [
      { name: "CPU_A78_0", cpus: [0, 1, 2, 3] },
      { name: "CPU_A78_1", cpus: [4, 5, 6, 7] },
      { name: "CPU_A78_2", cpus: [8, 9, 10, 11] },
    ],
    freqsKHz: [...grid(115200, 76800, 2188800), 2201600],
    modeMinKHz: 729600,
    governor: "schedutil",
  },
  gpu: {
    ...ORIN_GPU_DEVICE,
    freqsHz: [306000000, ...grid(318750000, 25500000, 1287750000), 1300500000],
    gpcs: 2,
    tpcs: 8,
  },
  emc: { minHz: 204000000, maxHz: 3199000000, idleHz: 2133000000 },
  thermalStepMC: ORIN_THERMAL_STEP_MC,
  thermalZones: orinZones({ cpu: 52562, gpu: 47625, soc0: 49093, soc1: 49656, soc2: 48437, tj: 52562 }),
  rails: [
    { label: "VDD_GPU_SOC", device: "1-0040", channel: 1, idleMW: 2412, perLoadMW: 20000 },
    { label: "VDD_CPU_CV", device: "1-0040", channel: 2, idleMW: 1607, perLoadMW: 12000 },
    { label: "VIN_SYS_5V0", device: "1-0040", channel: 3, idleMW: 4707, perLoadMW: 3000 },
    { label: "NC", device: "1-0041", channel: 1, idleMW: 0, perLoadMW: 0, hiddenFromTegrastats: true },
    { label: "VDDQ_VDD2_1V8AO", device: "1-0041", channel: 2, idleMW: 301, perLoadMW: 800, hiddenFromTegrastats: true },
    { label: "NC", device: "1-0041", channel: 3, idleMW: 0, perLoadMW: 0, hiddenFromTegrastats: true },
  ],
  fan: { initialPwm: 55, maxRpm: 3000 },
  engineCaps: ORIN_ENGINE_CAPS,
  // nvpmodel-p-verbose/agx-orin-1.txt; nvpmodel-m/agx-orin-1.txt shows MAXN needs a reboot from MODE_30W (other TPC_PG_MASK)
  modes: [
    { id: 0, name: "MAXN", onlineCpus: 12, cpuMaxKHz: NO_CAP, gpuMaxHz: NO_CAP, emcMaxHz: 0, tpcPgMask: 0 },
    { id: 1, name: "MODE_15W", onlineCpus: 4, cpuMaxKHz: 1113600, gpuMaxHz: 420750000, emcMaxHz: 2133000000, tpcPgMask: 248, engineMaxHz: orinEngineCaps(614400000, 294400000, 307200000, 217600000) },
    { id: 2, name: "MODE_30W", onlineCpus: 8, cpuMaxKHz: 1728000, gpuMaxHz: 624750000, emcMaxHz: 0, tpcPgMask: 240, engineMaxHz: orinEngineCaps(1369600000, 729600000, 512000000, 358400000) },
    { id: 3, name: "MODE_50W", onlineCpus: 12, cpuMaxKHz: 1497600, gpuMaxHz: 828750000, emcMaxHz: 0, tpcPgMask: 0, engineMaxHz: orinEngineCaps(1369600000, 729600000, 704000000, 486400000) },
  ],
  defaultMode: 2,
  tegrastats: {
    tempOrder: ORIN_TEMP_ORDER,
    engines: orinEngines({ dlaMHz: 1600, pvaMHz: 1152, apeMHz: 174 }),
  },
  cuda: "12.6.68",
  gpioChips: ORIN_GPIO_CHIPS,
  // jetson_clocks-show/agx-orin-1.txt
  jetsonClocksEngines: [
    "DLA0_CORE:   Online=1 MinFreq=0 MaxFreq=1600000000 CurrentFreq=1600000000",
    "DLA0_FALCON: Online=1 MinFreq=0 MaxFreq=844800000 CurrentFreq=844800000",
    "DLA1_CORE:   Online=1 MinFreq=0 MaxFreq=1600000000 CurrentFreq=1600000000",
    "DLA1_FALCON: Online=1 MinFreq=0 MaxFreq=844800000 CurrentFreq=844800000",
    "PVA0_VPS0: Online=1 MinFreq=0 MaxFreq=1152000000 CurrentFreq=1152000000",
    "PVA0_AXI:  Online=1 MinFreq=0 MaxFreq=832000000 CurrentFreq=832000000",
  ],
  nvpmodelWarnings: [],
};

const orinNanoSuper: SimBoard = {
  id: "orin-nano-super-jp6",
  description: 'Jetson Orin Nano 8GB Developer Kit "Super", JetPack 6.2',
  jetpack: "6.2",
  generation: 6,
  l4t: { major: 36, revision: "4.3", gcid: 38968081, board: "generic", date: "Wed Jan  8 01:49:37 UTC 2025" },
  kernelRelease: "5.15.148-tegra",
  model: "NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super",
  compatible: ["nvidia,p3768-0000+p3767-0005-super", "nvidia,p3767-0005", "nvidia,tegra234"],
  memTotalKB: 7802880,
  swapTotalKB: 3901440,
  cpu: {
    clusters: [
      { name: "CPU_A78_0", cpus: [0, 1, 2, 3] },
      { name: "CPU_A78_1", cpus: [4, 5] },
    ],
    freqsKHz: grid(115200, 76800, 1728000),
    modeMinKHz: 729600,
    // jetson_clocks-show/orin-nano-1.txt
    governor: "ondemand",
  },
  gpu: {
    ...ORIN_GPU_DEVICE,
    freqsHz: grid(306000000, 102000000, 1020000000),
    gpcs: 1,
    tpcs: 4,
  },
  emc: { minHz: 204000000, maxHz: 3199000000, idleHz: 2133000000 },
  thermalStepMC: ORIN_THERMAL_STEP_MC,
  thermalZones: orinZones({ cpu: 50031, gpu: 49031, soc0: 50000, soc1: 50250, soc2: 49031, tj: 50250 }),
  rails: [
    { label: "VDD_IN", device: "1-0040", channel: 1, idleMW: 4824, perLoadMW: 12000 },
    { label: "VDD_CPU_GPU_CV", device: "1-0040", channel: 2, idleMW: 518, perLoadMW: 7000 },
    { label: "VDD_SOC", device: "1-0040", channel: 3, idleMW: 1475, perLoadMW: 2500 },
  ],
  fan: { initialPwm: 88, maxRpm: 5000 },
  modes: [
    { id: 0, name: "15W", onlineCpus: 6, cpuMaxKHz: 1497600, gpuMaxHz: 612000000, emcMaxHz: 2133000000, tpcPgMask: 0 },
    { id: 1, name: "25W", onlineCpus: 6, cpuMaxKHz: 1344000, gpuMaxHz: 918000000, emcMaxHz: 0, tpcPgMask: 0 },
    { id: 2, name: "MAXN_SUPER", onlineCpus: 6, cpuMaxKHz: NO_CAP, gpuMaxHz: NO_CAP, emcMaxHz: 0, tpcPgMask: 0 },
    { id: 3, name: "7W", onlineCpus: 4, cpuMaxKHz: 960000, gpuMaxHz: 408000000, emcMaxHz: 2133000000, tpcPgMask: 0 },
  ],
  defaultMode: 1,
  tegrastats: {
    tempOrder: ORIN_TEMP_ORDER,
    engines: [
      { label: "NVDEC", clock: "nvdec", mhz: 1113, on: false },
      { label: "NVJPG", clock: "nvjpg", mhz: 729, on: false },
      { label: "NVJPG1", clock: "nvjpg1", mhz: 729, on: false },
      { label: "VIC", clock: "vic", mhz: 729, on: false },
      { label: "OFA", clock: "ofa", mhz: 729, on: false },
      { label: "APE", clock: "ape", mhz: 200, on: true },
    ],
  },
  cuda: "12.6.68",
  gpioChips: ORIN_GPIO_CHIPS,
  jetsonClocksEngines: [],
  nvpmodelWarnings: [],
};

// AGX Xavier's DLA, PVA and CVNAS caps (nvpmodel-p-verbose/agx-xavier-1.txt).
const XAVIER_CAP_DIR = "/sys/kernel/nvpmodel_emc_cap";
const XAVIER_ENGINE_CAPS = [
  { name: "DLA_CORE", file: `${XAVIER_CAP_DIR}/nafll_dla` },
  { name: "DLA_FALCON", file: `${XAVIER_CAP_DIR}/nafll_dla_falcon` },
  { name: "PVA_VPS", file: `${XAVIER_CAP_DIR}/nafll_pva_vps` },
  { name: "PVA_CORE", file: `${XAVIER_CAP_DIR}/nafll_pva_core` },
  { name: "CVNAS", file: `${XAVIER_CAP_DIR}/nafll_cvnas` },
];
const xavierEngineCaps = (dla: number, falcon: number, vps: number, core: number, cvnas: number): Record<string, number> => ({
  DLA_CORE: dla,
  DLA_FALCON: falcon,
  PVA_VPS: vps,
  PVA_CORE: core,
  CVNAS: cvnas,
});
const XAVIER_30W_CAPS = xavierEngineCaps(1050000000, 630000000, 760000000, 532000000, 1011200000);

const agxXavier: SimBoard = {
  id: "agx-xavier-jp51",
  description: "Jetson AGX Xavier Developer Kit (16GB), JetPack 5.1.2",
  jetpack: "5.1.2",
  generation: 5,
  l4t: { major: 35, revision: "4.1", gcid: 33958178, board: "t186ref", date: "Tue Aug  1 19:57:35 UTC 2023" },
  kernelRelease: "5.10.120-tegra",
  // The kit's device tree names only the carrier; the module is in the dts file's name.
  model: "Jetson-AGX",
  compatible: ["nvidia,p2972-0000", "nvidia,galen", "nvidia,tegra194"],
  dtsFilename: "hardware/nvidia/platform/t19x/galen/kernel-dts/tegra194-p2888-0001-p2822-0000.dts",
  serialNumber: "1421518044466",
  // jtop's tegrastats emulator (Xavier): RAM x/15823MB, SWAP x/7911MB
  memTotalKB: 15823 * 1024,
  swapTotalKB: 7911 * 1024,
  cpu: {
    // nvpmodel-p-verbose/agx-xavier-1.txt: four Carmel clusters of two cores, MIN_FREQ 1200000 in every mode
    clusters: [
      { name: "CPU_DENVER_0", cpus: [0, 1] },
      { name: "CPU_DENVER_1", cpus: [2, 3] },
      { name: "CPU_DENVER_2", cpus: [4, 5] },
      { name: "CPU_DENVER_3", cpus: [6, 7] },
    ],
    freqsKHz: grid(115200, 76800, 2265600),
    modeMinKHz: 1200000,
    governor: "schedutil",
  },
  gpu: {
    devicePath: "/sys/devices/17000000.gv11b",
    address: "17000000",
    ofName: "gv11b",
    controlPath: "/sys/devices/gpu.0",
    freqsHz: [
      114750000, 216750000, 318750000, 420750000, 522750000, 624750000, 675750000, 828750000, 905250000, 1032750000,
      1198500000, 1236750000, 1338750000, 1377000000,
    ],
    gpcs: 1,
    tpcs: 4,
  },
  emc: { minHz: 204000000, maxHz: 2133000000, idleHz: 665600000 },
  thermalStepMC: 500,
  // jtop's tegrastats emulator (tests/tegrastats, Xavier) prints AO GPU iwlwifi Tdiode PMIC AUX CPU thermal
  // Tboard; the board's own zones in that order (the Tdiode and Tboard sensors are left out here).
  thermalZones: [
    { type: "AO-therm", idleMC: 36500, perLoadMC: 5000 },
    { type: "GPU-therm", idleMC: 38000, perLoadMC: 22000 },
    { type: "iwlwifi", idleMC: 40000, perLoadMC: 2000 },
    { type: "PMIC-Die", idleMC: 100000, perLoadMC: 0 },
    { type: "AUX-therm", idleMC: 36500, perLoadMC: 10000 },
    { type: "CPU-therm", idleMC: 37500, perLoadMC: 25000 },
    { type: "thermal-fan-est", idleMC: 37450, perLoadMC: 20000 },
  ],
  // The same emulator's rails (GPU CPU SOC CV VDDRQ SYS5V); AGX Xavier has no total rail.
  rails: [
    { label: "GPU", device: "1-0040", channel: 1, idleMW: 1155, perLoadMW: 15000 },
    { label: "CPU", device: "1-0040", channel: 2, idleMW: 385, perLoadMW: 9000 },
    { label: "SOC", device: "1-0040", channel: 3, idleMW: 2504, perLoadMW: 3000 },
    { label: "CV", device: "1-0041", channel: 1, idleMW: 0, perLoadMW: 500 },
    { label: "VDDRQ", device: "1-0041", channel: 2, idleMW: 192, perLoadMW: 1200 },
    { label: "SYS5V", device: "1-0041", channel: 3, idleMW: 2692, perLoadMW: 1500 },
  ],
  fan: { initialPwm: 60, maxRpm: 5000 },
  engineCaps: XAVIER_ENGINE_CAPS,
  // nvpmodel-p-verbose/agx-xavier-1.txt: its seven modes; MODE_10W gates two TPCs, so reaching it needs a reboot
  modes: [
    { id: 0, name: "MAXN", onlineCpus: 8, cpuMaxKHz: NO_CAP, gpuMaxHz: NO_CAP, emcMaxHz: 0, tpcPgMask: 0 },
    { id: 1, name: "MODE_10W", onlineCpus: 2, cpuMaxKHz: 1200000, gpuMaxHz: 520000000, emcMaxHz: 1065600000, tpcPgMask: 5, engineMaxHz: xavierEngineCaps(550000000, 330000000, 115200000, 115200000, 601600000) },
    { id: 2, name: "MODE_15W", onlineCpus: 4, cpuMaxKHz: 1200000, gpuMaxHz: 670000000, emcMaxHz: 1331200000, tpcPgMask: 0, engineMaxHz: xavierEngineCaps(750000000, 450000000, 550000000, 385000000, 716800000) },
    { id: 3, name: "MODE_30W_ALL", onlineCpus: 8, cpuMaxKHz: 1200000, gpuMaxHz: 900000000, emcMaxHz: 1600000000, tpcPgMask: 0, engineMaxHz: XAVIER_30W_CAPS },
    { id: 4, name: "MODE_30W_6CORE", onlineCpus: 6, cpuMaxKHz: 1450000, gpuMaxHz: 900000000, emcMaxHz: 1600000000, tpcPgMask: 0, engineMaxHz: XAVIER_30W_CAPS },
    { id: 5, name: "MODE_30W_4CORE", onlineCpus: 4, cpuMaxKHz: 1780000, gpuMaxHz: 900000000, emcMaxHz: 1600000000, tpcPgMask: 0, engineMaxHz: XAVIER_30W_CAPS },
    { id: 6, name: "MODE_30W_2CORE", onlineCpus: 2, cpuMaxKHz: 2100000, gpuMaxHz: 900000000, emcMaxHz: 1600000000, tpcPgMask: 0, engineMaxHz: XAVIER_30W_CAPS },
  ],
  defaultMode: 2,
  tegrastats: {
    tempOrder: ["AO", "GPU", "iwlwifi", "PMIC", "AUX", "CPU", "thermal"],
    engines: [
      { label: "VIC_FREQ", clock: "vic", mhz: 115, on: true },
      { label: "APE", clock: "ape", mhz: 150, on: true },
    ],
  },
  cuda: "11.4.315",
  gpioChips: [
    { label: "tegra194-gpio", lines: 169, ports: TEGRA194_MAIN_PORTS },
    { label: "tegra194-gpio-aon", lines: 30, ports: TEGRA194_AON_PORTS },
  ],
  jetsonClocksEngines: [],
  nvpmodelWarnings: [],
};

// Orin NX 16GB's DLA and PVA caps differ per DLA in the low modes.
const orinNxEngineCaps = (dla0: [number, number], dla1: [number, number], pva: [number, number]): Record<string, number> => ({
  DLA0_CORE: dla0[0],
  DLA0_FALCON: dla0[1],
  DLA1_CORE: dla1[0],
  DLA1_FALCON: dla1[1],
  PVA0_VPS: pva[0],
  PVA0_AXI: pva[1],
});

const orinNx16Super: SimBoard = {
  id: "orin-nx-16gb-super-jp62",
  description: 'Jetson Orin NX 16GB on the Orin Nano Developer Kit carrier, "Super" modes, JetPack 6.2',
  jetpack: "6.2",
  generation: 6,
  l4t: { major: 36, revision: "4.3", gcid: 38968081, board: "generic", date: "Wed Jan  8 01:49:37 UTC 2025" },
  kernelRelease: "5.15.148-tegra",
  model: "NVIDIA Jetson Orin NX Engineering Reference Developer Kit Super",
  compatible: ["nvidia,p3768-0000+p3767-0000-super", "nvidia,p3767-0000", "nvidia,tegra234"],
  serialNumber: "1423823055123",
  memTotalKB: 15950592,
  swapTotalKB: 7975296,
  cpu: {
    clusters: [
      { name: "CPU_A78_0", cpus: [0, 1, 2, 3] },
      { name: "CPU_A78_1", cpus: [4, 5, 6, 7] },
    ],
    freqsKHz: [...grid(115200, 76800, 1958400), 1984000],
    modeMinKHz: 729600,
    governor: "schedutil",
  },
  gpu: {
    ...ORIN_GPU_DEVICE,
    freqsHz: [...grid(306000000, 102000000, 1122000000), 1173000000],
    gpcs: 2,
    tpcs: 8,
  },
  emc: { minHz: 204000000, maxHz: 3199000000, idleHz: 2133000000 },
  thermalStepMC: ORIN_THERMAL_STEP_MC,
  thermalZones: orinZones({ cpu: 48500, gpu: 47000, soc0: 48000, soc1: 48250, soc2: 47500, tj: 48500 }),
  rails: [
    { label: "VDD_IN", device: "1-0040", channel: 1, idleMW: 5100, perLoadMW: 25000 },
    { label: "VDD_CPU_GPU_CV", device: "1-0040", channel: 2, idleMW: 650, perLoadMW: 15000 },
    { label: "VDD_SOC", device: "1-0040", channel: 3, idleMW: 1550, perLoadMW: 4000 },
  ],
  fan: { initialPwm: 80, maxRpm: 5000 },
  engineCaps: ORIN_ENGINE_CAPS,
  // NVIDIA's nvpmodel_p3767_0000_super.conf (L4T 36.4.3, as LineageOS android_device_nvidia_concord
  // ships it): the Super table. 10W and 15W gate TPC mask 252, the others 240, so 10W/15W need a reboot.
  modes: [
    { id: 0, name: "MAXN_SUPER", onlineCpus: 8, cpuMaxKHz: NO_CAP, gpuMaxHz: NO_CAP, emcMaxHz: 0, tpcPgMask: 240 },
    { id: 1, name: "10W", onlineCpus: 4, cpuMaxKHz: 1190400, gpuMaxHz: 612000000, emcMaxHz: 2133000000, tpcPgMask: 252, engineMaxHz: orinNxEngineCaps([153600000, 115000000], [115000000, 115000000], [115000000, 115000000]) },
    { id: 2, name: "15W", onlineCpus: 4, cpuMaxKHz: 1420800, gpuMaxHz: 612000000, emcMaxHz: 0, tpcPgMask: 252, engineMaxHz: orinNxEngineCaps([614400000, 294400000], [115000000, 115000000], [115000000, 115000000]) },
    { id: 3, name: "25W", onlineCpus: 8, cpuMaxKHz: 1497600, gpuMaxHz: 408000000, emcMaxHz: 0, tpcPgMask: 240, engineMaxHz: orinNxEngineCaps([614400000, 294400000], [614400000, 294400000], [512000000, 358400000]) },
    { id: 4, name: "40W", onlineCpus: 8, cpuMaxKHz: 1497600, gpuMaxHz: 1173000000, emcMaxHz: 0, tpcPgMask: 240, engineMaxHz: orinNxEngineCaps([908800000, 435200000], [908800000, 435200000], [704000000, 486400000]) },
  ],
  defaultMode: 4,
  tegrastats: {
    tempOrder: ORIN_TEMP_ORDER,
    engines: orinEngines({ dlaMHz: 614, pvaMHz: 704, apeMHz: 200 }),
  },
  cuda: "12.6.68",
  gpioChips: ORIN_GPIO_CHIPS,
  jetsonClocksEngines: [],
  nvpmodelWarnings: [],
};

// tegra264 GPIO ports in line order (the tegra186 driver numbers lines by bank, then port: upstream
// gpio-tegra186.c's tegra264 tables); the names are JetPack 7's, as Jetson.GPIO's Thor table has
// them (PL.06 = line 86, PF.07 = 127, PAD.00 = aon line 0, PDD.03 = aon line 21).
const TEGRA264_MAIN_PORTS: [string, number][] = [
  ["T", 7], ["U", 8], ["V", 8], ["W", 8], ["AL", 3], ["Y", 8], ["Z", 8], ["X", 6],
  ["H", 8], ["J", 8], ["K", 8], ["L", 8], ["M", 6],
  ["P", 8], ["Q", 8], ["R", 8], ["S", 2],
  ["F", 8], ["G", 5],
];
const TEGRA264_AON_PORTS: [string, number][] = [["AD", 2], ["AE", 6], ["BB", 2], ["CC", 8], ["DD", 8], ["EE", 4]];

const agxThor: SimBoard = {
  id: "agx-thor-jp7",
  description: "Jetson AGX Thor Developer Kit, JetPack 7.1",
  jetpack: "7.1",
  generation: 7,
  // tegrastats/agx-thor-*.txt (SOURCES.md): L4T R38.4.0, kernel 6.8.12
  l4t: { major: 38, revision: "4.0", gcid: 43132718, board: "generic", date: "Thu Jan  8 21:11:38 UTC 2026" },
  kernelRelease: "6.8.12-tegra",
  model: "NVIDIA Jetson AGX Thor Developer Kit",
  compatible: ["nvidia,p3971-0080+p3834-0008", "nvidia,p3834-0008", "nvidia,tegra264"],
  serialNumber: "1425225061234",
  // agx-thor-1.txt: RAM x/125773MB, SWAP x/2048MB, 14 cores
  memTotalKB: 125773 * 1024,
  swapTotalKB: 2048 * 1024,
  cpu: {
    // agx-thor-*.txt: 14 cores at 972 MHz idle, 2601 MHz busy; the cluster names are the simulator's own.
    clusters: [
      { name: "CPU_CLUSTER_0", cpus: [0, 1, 2, 3, 4, 5, 6] },
      { name: "CPU_CLUSTER_1", cpus: [7, 8, 9, 10, 11, 12, 13] },
    ],
    freqsKHz: [...grid(972000, 115200, 2588400), 2601000],
    modeMinKHz: 972000,
    governor: "schedutil",
  },
  gpu: {
    devicePath: "/sys/devices/platform/bus@0/8880000000.gpu",
    address: "8880000000",
    ofName: "gb10b",
    devfreqName: "gpu-gpc-0",
    openRm: true,
    controlPath: "/sys/devices/platform/bus@0/8880000000.gpu",
    freqsHz: grid(210000000, 105000000, 1575000000),
    // agx-thor-1.txt prints GR3D_FREQ @[f,f,f]
    gpcs: 3,
  },
  // agx-thor-1.txt: EMC_FREQ 0%@665 at idle
  emc: { minHz: 665000000, maxHz: 4266000000, idleHz: 665000000, bwmgr: true },
  thermalStepMC: ORIN_THERMAL_STEP_MC,
  thermalZones: [
    { type: "cpu-thermal", idleMC: 34468, perLoadMC: 25000 },
    { type: "tj-thermal", idleMC: 34500, perLoadMC: 26000 },
    { type: "soc012-thermal", idleMC: 33781, perLoadMC: 15000 },
    { type: "soc345-thermal", idleMC: 34500, perLoadMC: 15000 },
  ],
  // agx-thor-1.txt: VDD_GPU, VDD_CPU_SOC_MSS, VIN_SYS_5V0; no total rail
  rails: [
    { label: "VDD_GPU", device: "1-0040", channel: 1, idleMW: 0, perLoadMW: 60000 },
    { label: "VDD_CPU_SOC_MSS", device: "1-0040", channel: 2, idleMW: 4165, perLoadMW: 30000 },
    { label: "VIN_SYS_5V0", device: "1-0040", channel: 3, idleMW: 4126, perLoadMW: 4000 },
  ],
  fan: { initialPwm: 60, maxRpm: 4000 },
  // Mode ids and names of the T5000 nvpmodel.conf (L4T R38: MAXN 0, 120W 1 the default, 90W 2, 70W 3).
  // The per-mode caps are this simulator's estimates: no published per-mode clock table was at hand.
  modes: [
    { id: 0, name: "MAXN", onlineCpus: 14, cpuMaxKHz: NO_CAP, gpuMaxHz: NO_CAP, emcMaxHz: 0 },
    { id: 1, name: "120W", onlineCpus: 14, cpuMaxKHz: 2601000, gpuMaxHz: 1575000000, emcMaxHz: 0 },
    { id: 2, name: "90W", onlineCpus: 12, cpuMaxKHz: 2203200, gpuMaxHz: 1335000000, emcMaxHz: 0 },
    { id: 3, name: "70W", onlineCpus: 10, cpuMaxKHz: 1972800, gpuMaxHz: 1020000000, emcMaxHz: 3200000000 },
  ],
  defaultMode: 1,
  tegrastats: {
    tempOrder: ["cpu", "tj", "soc012", "soc345"],
    engines: [
      { label: "VIC", clock: "vic", mhz: 1075, on: false },
      { label: "PVA0_FREQ", clock: "pva0_vps0", mhz: 1215, on: false },
      { label: "APE", clock: "ape", mhz: 300, on: true },
    ],
  },
  cuda: "13.0.48",
  gpioChips: [
    { label: "tegra264-gpio-main", lines: 133, ports: TEGRA264_MAIN_PORTS },
    { label: "tegra264-gpio-aon", lines: 30, ports: TEGRA264_AON_PORTS },
  ],
  jetsonClocksEngines: [],
  nvpmodelWarnings: [],
};

export const SIM_BOARDS: Record<SimBoardId, SimBoard> = {
  "nano-jp46": nano,
  "xavier-nx-jp51": xavierNx,
  "agx-xavier-jp51": agxXavier,
  "agx-orin-jp6": agxOrin,
  "orin-nx-16gb-super-jp62": orinNx16Super,
  "orin-nano-super-jp6": orinNanoSuper,
  "agx-thor-jp7": agxThor,
};

export const SIM_BOARD_IDS = Object.keys(SIM_BOARDS) as SimBoardId[];

export function isSimBoardId(value: string): value is SimBoardId {
  return Object.hasOwn(SIM_BOARDS, value);
}
