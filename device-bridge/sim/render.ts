import { CPU_ROOT } from "./layout.js";
import { NO_CAP, type SimBoard, type SimGeneration, type SimLayout, type SimPowerMode } from "./types.js";

/** A device-tree string property: every entry NUL-terminated, no newline (model, compatible). */
export function deviceTreeStrings(entries: readonly string[]): string {
  return entries.map((entry) => `${entry}\0`).join("");
}

/** /etc/nv_tegra_release: one line on JetPack 4/5, four on JetPack 6. */
export function nvTegraRelease(board: SimBoard, generation: SimGeneration): string {
  const { major, revision, gcid, board: bsp, date } = board.l4t;
  const first = `# R${major} (release), REVISION: ${revision}, GCID: ${gcid}, BOARD: ${bsp}, EABI: aarch64, DATE: ${date}`;
  return [first, ...generation.releaseTail].map((line) => `${line}\n`).join("");
}

/**
 * /etc/nvpmodel.conf with the syntax of the real file: PARAM blocks naming the files
 * a setting writes, one POWER_MODEL block per mode, and the default mode.
 */
export function nvpmodelConf(board: SimBoard, layout: SimLayout): string {
  const header = [
    `# nvpmodel configuration for ${board.model} (simulated board ${board.id})`,
    "#",
    "# < PARAM TYPE=FILE|CLOCK NAME=PARAM_NAME > lists ARG_NAME PATH lines: the files a setting writes.",
    "# < POWER_MODEL ID=N NAME=X > lists PARAM_NAME ARG_NAME VALUE lines; a clock value of -1 means no cap,",
    "# an EMC MAX_FREQ of 0 means no cap.",
  ];
  const blocks = [
    header,
    ...paramBlocks(board, layout),
    ...board.modes.map((mode) => modeBlock(board, layout, mode)),
    ["# mandatory section to configure the default power mode", `< PM_CONFIG DEFAULT=${board.defaultMode} >`],
  ];
  return `${blocks.map((lines) => lines.join("\n")).join("\n\n")}\n`;
}

function paramBlocks(board: SimBoard, layout: SimLayout): string[][] {
  const { gpu } = layout;
  const clock = (name: string, dir: string, prefix: string) => [
    `< PARAM TYPE=CLOCK NAME=${name} >`,
    `FREQ_TABLE ${dir}/${prefix}available_frequencies`,
    `MAX_FREQ ${dir}/${prefix}max_freq`,
    `MIN_FREQ ${dir}/${prefix}min_freq`,
  ];
  return [
    ["< PARAM TYPE=FILE NAME=CPU_ONLINE >", ...cores(layout).map((i) => `CORE_${i} ${CPU_ROOT}/cpu${i}/online`)],
    ...(gpu.tpcMaskFile ? [["< PARAM TYPE=FILE NAME=TPC_POWER_GATING >", `TPC_PG_MASK ${gpu.tpcMaskFile}`]] : []),
    ["< PARAM TYPE=FILE NAME=GPU_POWER_CONTROL_ENABLE >", `GPU_PWR_CNTL_EN ${gpu.powerControlFile}`],
    ["< PARAM TYPE=FILE NAME=GPU_POWER_CONTROL_DISABLE >", `GPU_PWR_CNTL_DIS ${gpu.powerControlFile}`],
    // A cluster's clocks are set through its first core; the cores of a cluster share one cpufreq policy.
    ...board.cpu.clusters.map((c) => clock(c.name, `${CPU_ROOT}/cpu${c.cpus[0]}/cpufreq`, "scaling_")),
    clock("GPU", gpu.devfreqDir, ""),
    ["< PARAM TYPE=CLOCK NAME=EMC >", `MAX_FREQ ${layout.emcCapFile}`],
    ...(board.engineCaps ?? []).map(({ name, file }) => [`< PARAM TYPE=CLOCK NAME=${name} >`, `MAX_FREQ ${file}`]),
  ];
}

function modeBlock(board: SimBoard, layout: SimLayout, mode: SimPowerMode): string[] {
  // Like the real files, clusters whose cores are all offline get no clock lines.
  const clusters = board.cpu.clusters.filter((c) => c.cpus.some((cpu) => cpu < mode.onlineCpus));
  return [
    `< POWER_MODEL ID=${mode.id} NAME=${mode.name} >`,
    ...cores(layout).map((i) => `CPU_ONLINE CORE_${i} ${i < mode.onlineCpus ? 1 : 0}`),
    ...(layout.gpu.tpcMaskFile ? [`TPC_POWER_GATING TPC_PG_MASK ${mode.tpcPgMask ?? 0}`] : []),
    "GPU_POWER_CONTROL_ENABLE GPU_PWR_CNTL_EN on",
    ...clusters.flatMap((c) => [`${c.name} MIN_FREQ ${board.cpu.modeMinKHz}`, `${c.name} MAX_FREQ ${mode.cpuMaxKHz}`]),
    "GPU MIN_FREQ 0",
    `GPU MAX_FREQ ${mode.gpuMaxHz}`,
    "GPU_POWER_CONTROL_DISABLE GPU_PWR_CNTL_DIS auto",
    `EMC MAX_FREQ ${mode.emcMaxHz}`,
    ...(board.engineCaps ?? []).map(({ name }) => `${name} MAX_FREQ ${mode.engineMaxHz?.[name] ?? NO_CAP}`),
  ];
}

function cores(layout: SimLayout): number[] {
  return Array.from({ length: layout.cpuCount }, (_, i) => i);
}

/** /usr/local/cuda's version file: version.txt up to CUDA 10, version.json from CUDA 11 on. */
export function cudaVersionFile(version: string): [path: string, content: string] {
  if (Number.parseInt(version, 10) <= 10) return ["/usr/local/cuda/version.txt", `CUDA Version ${version}\n`];
  const json = { cuda: { name: "CUDA SDK", version }, cuda_cudart: { name: "CUDA Runtime (cudart)", version } };
  return ["/usr/local/cuda/version.json", `${JSON.stringify(json, null, 3)}\n`];
}

// TEMP HYST PWM RPM rows of each profile, in the layout of NVIDIA's JetPack 5+ nvfancontrol.conf.
const FAN_PROFILES: Record<string, number[][]> = {
  quiet: [
    [0, 0, 0, 0],
    [18, 9, 66, 1000],
    [63, 8, 255, 3000],
    [105, 0, 255, 3000],
  ],
  cool: [
    [0, 0, 77, 1000],
    [35, 0, 77, 1000],
    [53, 8, 255, 3000],
    [105, 0, 255, 3000],
  ],
};

/** /etc/nvfancontrol.conf of JetPack 5+: profiles, the thermal group that drives them, and the defaults. */
export function nvfancontrolConf(board: SimBoard): string {
  const zones = board.thermalZones.filter((z) => z.perLoadMC > 0 && z.idleMC > 0).map((z) => z.type);
  const profiles = Object.entries(FAN_PROFILES).flatMap(([name, rows]) => [
    `\tFAN_PROFILE ${name} {`,
    "\t\t#TEMP \tHYST\tPWM\tRPM",
    ...rows.map((row) => `\t\t${row.join("\t")}`),
    "\t}",
  ]);
  return [
    `# nvfancontrol configuration for ${board.model} (simulated board ${board.id})`,
    "POLLING_INTERVAL 2",
    "",
    "<FAN 1>",
    "\tTMARGIN ENABLED",
    "\tFAN_GOVERNOR cont {",
    "\t\tSTEP_SIZE 10",
    "\t}",
    "\tFAN_CONTROL close_loop {",
    "\t\tRPM_TOLERANCE 100",
    "\t}",
    ...profiles,
    "\tTHERMAL_GROUP 0 {",
    "\t\tGROUP_MAX_TEMP 105",
    "\t\t#Thermal-Zone Coeffs Max-Temp",
    ...zones.map((zone) => `\t\t${zone} 20,2,1 0`),
    "\t}",
    "\tFAN_DEFAULT_CONTROL close_loop",
    "\tFAN_DEFAULT_PROFILE quiet",
    "\tFAN_DEFAULT_GOVERNOR cont",
    "",
  ].join("\n");
}
