/** Shapes of the simulated-board table (boards.ts) and of what the stand-in programs read back. */

export type SimBoardId =
  | "nano-jp46"
  | "xavier-nx-jp51"
  | "agx-xavier-jp51"
  | "agx-orin-jp6"
  | "orin-nx-16gb-super-jp62"
  | "orin-nano-super-jp6"
  | "agx-thor-jp7";

/** The JetPack major release, which decides file layouts and tool output formats (generations.ts). */
export type JetpackGeneration = 4 | 5 | 6 | 7;

/** A clock limit meaning "no cap", written as -1 in /etc/nvpmodel.conf as on a real board. */
export const NO_CAP = -1;

export interface SimPowerMode {
  id: number;
  name: string;
  /** Cores 0..onlineCpus-1 stay online, the rest are switched off. */
  onlineCpus: number;
  cpuMaxKHz: number;
  gpuMaxHz: number;
  /** nvpmodel's EMC cap; 0 means none. */
  emcMaxHz: number;
  /** GPU TPCs power-gated, one bit per TPC (boards with TPC gating only); switching to another mask needs a reboot. */
  tpcPgMask?: number;
  /** Caps of the board's engineCaps by name, in Hz; a name left out is NO_CAP. */
  engineMaxHz?: Record<string, number>;
}

export interface SimThermalZone {
  type: string;
  /** m°C at 0 % load; -256000 is an offline sensor, as the kernel reports it. */
  idleMC: number;
  /** m°C added at 100 % load (0 for fixed placeholders such as PMIC-Die). */
  perLoadMC: number;
}

export interface SimRail {
  label: string;
  /** I2C device of its INA3221, e.g. "1-0040". */
  device: string;
  /** Channel number as the driver names it: 0-2 for the JetPack 4 iio driver, 1-3 for hwmon. */
  channel: number;
  idleMW: number;
  perLoadMW: number;
  /** JetPack 6 tegrastats prints only the first INA3221 (see the agx-orin tegrastats fixtures). */
  hiddenFromTegrastats?: boolean;
}

/** A hardware engine's clock: tegrastats prints `label MHz`, or `label off` when the clock is disabled. */
export interface SimEngine {
  /** As tegrastats prints it (APE, VIC_FREQ, PVA0_FREQ, ...). */
  label: string;
  /** Its folder under /sys/kernel/debug/clk (clk_rate in Hz, clk_enable_count). */
  clock: string;
  mhz: number;
  on: boolean;
}

export interface SimBoard {
  id: SimBoardId;
  description: string;
  jetpack: string;
  generation: JetpackGeneration;
  /** First line of /etc/nv_tegra_release: `# R{major} (release), REVISION: {revision}, GCID: ...`. */
  l4t: { major: number; revision: string; gcid: number; board: string; date: string };
  kernelRelease: string;
  model: string;
  /** Most specific first; the last entry names the SoC (nvidia,tegraNNN). */
  compatible: string[];
  /** The device tree's nvidia,dtsfilename, on boards whose compatible list names no module. */
  dtsFilename?: string;
  /** The device tree's serial-number property, on boards whose bootloader writes one. */
  serialNumber?: string;
  memTotalKB: number;
  swapTotalKB: number;
  cpu: {
    /** nvpmodel clock groups; cores of one group share a cpufreq policy. */
    clusters: { name: string; cpus: number[] }[];
    freqsKHz: number[];
    /** MIN_FREQ that every power mode sets (0 = the hardware minimum). */
    modeMinKHz: number;
    governor: string;
  };
  gpu: {
    /** The GPU's device folder; its devfreq node is devfreq/<address>.<ofName>. */
    devicePath: string;
    address: string;
    ofName: string;
    /** Where tpc_pg_mask and power/control live (gpu.0 before JetPack 6). */
    controlPath: string;
    freqsHz: number[];
    /** GPCs, each printed as one frequency in `GR3D_FREQ x%@[f,f]`. */
    gpcs: number;
    tpcs?: number;
    /** Devfreq node name where it is not <address>.<ofName> (Thor's gpu-gpc-0). */
    devfreqName?: string;
    /**
     * The GPU runs under the open RM driver (Thor): its load is known to NVML (nvidia-smi) only,
     * not to devfreq, and tegrastats prints GR3D_FREQ without a load.
     */
    openRm?: boolean;
  };
  emc: { minHz: number; maxHz: number; idleHz: number; /** Thor's bwmgr devfreq shows the EMC clock in sysfs. */ bwmgr?: boolean };
  /** Resolution of the thermal sensors in m°C. */
  thermalStepMC: number;
  thermalZones: SimThermalZone[];
  rails: SimRail[];
  fan: { initialPwm: number; maxRpm?: number };
  /** DLA and PVA clock caps nvpmodel.conf sets per mode (PARAM TYPE=CLOCK with MAX_FREQ only), with the file each writes. */
  engineCaps?: { name: string; file: string }[];
  modes: SimPowerMode[];
  defaultMode: number;
  tegrastats: {
    /** Temperature labels (zone type up to its first "-") in the order tegrastats prints them. */
    tempOrder: string[];
    /** Engines in the order tegrastats prints them, from their debugfs clocks (constant in the simulation). */
    engines: SimEngine[];
    iram?: string;
  };
  /** CUDA toolkit version in /usr/local/cuda (version.txt up to CUDA 10, version.json after). */
  cuda: string;
  /** GPIO controllers in gpiochip order, as libgpiod lists them. */
  gpioChips: SimGpioChip[];
  /** Engine lines of `jetson_clocks --show` (DLA, PVA), constant in the simulation. */
  jetsonClocksEngines: string[];
  /** Lines nvpmodel prints before its answer on this board. */
  nvpmodelWarnings: string[];
}

/** A GPIO controller: its label and lines, named after the SoC pads where the driver names them. */
export interface SimGpioChip {
  label: string;
  lines: number;
  /**
   * Ports in line order with their pin counts (the tegra186 driver names line n of port Q "PQ.0n");
   * absent where the driver leaves lines unnamed (tegra-gpio on JetPack 4).
   */
  ports?: [port: string, pins: number][];
}

/** What differs between JetPack generations rather than between boards. */
export interface SimGeneration {
  /** Lines after the first one of /etc/nv_tegra_release. */
  releaseTail: string[];
  /** Whether /proc/meminfo has the NvMap fields (gone with the out-of-tree nvmap of JetPack 6). */
  meminfoNvMap: boolean;
  /** Whether `ip -j route` prints JSON: from iproute2 4.17 on; Ubuntu 18.04 (JetPack 4) has 4.15, which prints text. */
  ipRouteJson: boolean;
  /** The version of libgpiod's tools in the release's Ubuntu: v1 up to 22.04 (JetPack 6), v2 on 24.04 (JetPack 7). */
  libgpiod: "1.0" | "1.4.1" | "1.6.3" | "2.1";
  /** INA3221 driver: iio (JetPack 4, mW files) or hwmon (mV and mA files). */
  ina: "iio" | "hwmon";
  /** Fan control: the pwm-fan device of JetPack 4 or a hwmon pwm1. */
  fan: "pwm-fan" | "hwmon";
  /** emcPlaceholder: without root, "EMC_FREQ 0%" stands where the EMC reading would be (JetPack 4 and 5). */
  tegrastats: { datePrefix: boolean; railUnit: string; gpuFreqList: boolean; omitOfflineTemps: boolean; emcPlaceholder: boolean };
  /** onlinePerCpu: cpu lines carry Online= (JetPack 7 dropped it, leaving the Online CPUs list). */
  jetsonClocks: { cpuLabelWidth: number; onlinePerCpu: boolean; idleTrailingSpace: boolean; tpcLine: boolean; fanLine: string };
}

/** Where a board's devices live in the simulated root: computed once, read by the stand-ins. */
export interface SimLayout {
  cpuCount: number;
  gpu: {
    devfreqDir: string;
    classDir: string;
    /** devfreq's device/load, or on an open RM GPU the simulator's own file that its nvidia-smi reads. */
    loadFile: string;
    ofNameFile: string;
    powerControlFile: string;
    tpcMaskFile?: string;
  };
  emcCapFile: string;
  /** Where the EMC clock is readable without debugfs (Thor's bwmgr), rewritten on every refresh. */
  emcRateFile?: string;
  thermalZones: (SimThermalZone & { dir: string })[];
  rails: (SimRail & { labelFile: string; voltageFile: string; currentFile: string; powerFile?: string })[];
  /** tempControlFile: JetPack 4 pwm-fan's switch between the kernel's temperature control (1) and a set PWM (0). */
  fan: { pwmFile: string; nameFile?: string; rpmFile?: string; curPwmFile?: string; tempControlFile?: string };
  statusFile: string;
}

/** Contents of /var/lib/jetson-sim/board.json, the stand-ins' view of the board. */
export interface SimBoardFile {
  board: SimBoard;
  generation: SimGeneration;
  layout: SimLayout;
}
