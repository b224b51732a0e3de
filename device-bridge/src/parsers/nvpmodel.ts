import type { ClockLimit, CurrentPowerMode, PowerMode, PowerModeChange, PowerModeTable } from "@jetson/protocol";

const MODE_NAME = /NV Power Mode:\s*(.+?)\s*$/;
const MODE_ID = /^\s*(\d+)\s*$/;
// "NVPM VERB: ", "NVPM WARN: " prefixes of nvpmodel's verbose output.
const NVPM_PREFIX = /^NVPM \w+:\s*/;
// /etc/nvpmodel.conf "< POWER_MODEL ID=0 NAME=MAXN >" and -p --verbose "POWER_MODEL: ID=0 NAME=MAXN".
const MODE_HEADER = /^<?\s*POWER_MODEL:?\s+ID=(\d+)\s+NAME=(\S+?)\s*>?$/;
// Any other section (PARAM definitions, PM_CONFIG) ends a mode's lines.
const SECTION_HEADER = /^(?:<|PARAM\s|PM_CONFIG)/;
// conf "< PM_CONFIG DEFAULT=2 >", -p --verbose "PM_CONFIG: DEFAULT=MODE_30W(2)".
const DEFAULT_MODE = /^<?\s*PM_CONFIG:?\s+DEFAULT=(?:\S*\((\d+)\)|(\d+))\s*>?$/;
const CORE = /^CORE_(\d+)$/;
// CPU clock groups as nvpmodel names them: CPU_A57, CPU_A78_0, CPU_DENVER_1.
const CPU_CLUSTER = /^CPU_(?!ONLINE$)\w+$/;
// Accelerator clocks with a per-mode cap: DLA0_CORE, DLA_FALCON, PVA0_VPS, PVA_CORE, CVNAS.
const ENGINE = /^(?:DLA|PVA|CVNAS)\w*$/;
// Clock values meaning "no cap": -1 in the conf, INT_MAX once nvpmodel has read it.
const UNCAPPED = new Set(["-1", "2147483647"]);
// CPU clocks are in kHz (cpufreq), GPU clocks in Hz (devfreq).
const BOUNDS = new Map<string, { cpu: "minKHz" | "maxKHz"; gpu: "minHz" | "maxHz" }>([
  ["MIN_FREQ", { cpu: "minKHz", gpu: "minHz" }],
  ["MAX_FREQ", { cpu: "maxKHz", gpu: "maxHz" }],
]);

/** `nvpmodel -q` (or `-q --verbose`): the mode name and its id on the next numeric line. */
export function parseNvpmodelQuery(text: string): CurrentPowerMode {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((line) => MODE_NAME.test(line));
  const name = at < 0 ? undefined : MODE_NAME.exec(lines[at] as string)?.[1];
  if (name === undefined) throw new Error("nvpmodel -q: no 'NV Power Mode:' line");
  const id = lines
    .slice(at + 1)
    .map((line) => MODE_ID.exec(line)?.[1])
    .find((value) => value !== undefined);
  if (id === undefined) throw new Error(`nvpmodel -q: no mode id after 'NV Power Mode: ${name}'`);
  return { id: Number(id), name };
}

/** The mode table of /etc/nvpmodel.conf or `nvpmodel -p --verbose`. */
export function parseNvpmodelConf(text: string): PowerModeTable {
  const modes: PowerMode[] = [];
  let defaultId: number | undefined;
  let mode: PowerMode | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(NVPM_PREFIX, "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const header = MODE_HEADER.exec(line);
    if (header) {
      mode = { id: Number(header[1]), name: header[2] as string, params: {} };
      modes.push(mode);
      continue;
    }
    if (SECTION_HEADER.test(line)) {
      mode = undefined;
      const dflt = DEFAULT_MODE.exec(line);
      if (dflt) defaultId = Number(dflt[1] ?? dflt[2]);
      continue;
    }
    if (mode) applySetting(mode, line.split(/\s+/));
  }
  if (modes.length === 0) throw new Error("nvpmodel table: no POWER_MODEL entries");
  return defaultId === undefined ? { modes } : { defaultId, modes };
}

type Setting = { param: string; arg: string; value: string };
type Apply = (mode: PowerMode) => void;

/** The settings a mode keeps: each reader answers how to keep a line it knows, or nothing. */
const SETTINGS: ((s: Setting) => Apply | undefined)[] = [
  ({ param, arg, value }) => {
    const core = param === "CPU_ONLINE" ? CORE.exec(arg)?.[1] : undefined;
    return core === undefined ? undefined : ({ params }) => void ((params.cpuOnline ??= {})[core] = value === "1");
  },
  (s) => (s.param === "TPC_POWER_GATING" && s.arg === "TPC_PG_MASK" ? (mode) => void (mode.params.tpcPgMask = integer(mode, s)) : undefined),
  (s) => {
    const bound = BOUNDS.get(s.arg);
    return s.param === "GPU" && bound ? (mode) => void ((mode.params.gpuFreq ??= {})[bound.gpu] = clockLimit(mode, s)) : undefined;
  },
  (s) => {
    const bound = BOUNDS.get(s.arg);
    if (!CPU_CLUSTER.test(s.param) || !bound) return undefined;
    return (mode) => void (((mode.params.cpuFreqs ??= {})[s.param] ??= {})[bound.cpu] = clockLimit(mode, s));
  },
  // An EMC cap of 0 leaves the memory controller unlimited, as nvpmodel reads it.
  (s) =>
    s.param === "EMC" && s.arg === "MAX_FREQ"
      ? (mode) => void (mode.params.emcMaxHz = s.value === "0" ? "max" : clockLimit(mode, s))
      : undefined,
  (s) =>
    ENGINE.test(s.param) && s.arg === "MAX_FREQ" ? (mode) => void ((mode.params.engineMaxHz ??= {})[s.param] = clockLimit(mode, s)) : undefined,
];

// One "PARAM ARG VALUE" line of a mode; settings no reader knows are not kept.
function applySetting(mode: PowerMode, [param, arg, value, ...rest]: string[]): void {
  if (param === undefined || arg === undefined || value === undefined || rest.length > 0) return;
  const setting = { param, arg, value };
  for (const read of SETTINGS) {
    const apply = read(setting);
    if (apply) return apply(mode);
  }
}

function integer(mode: PowerMode, { param, arg, value }: Setting): number {
  if (!/^\d+$/.test(value)) throw new Error(`nvpmodel table: mode ${mode.id} ${param} ${arg} is not a number: ${value}`);
  return Number(value);
}

function clockLimit(mode: PowerMode, setting: Setting): ClockLimit {
  if (UNCAPPED.has(setting.value)) return "max";
  if (!/^\d+$/.test(setting.value)) throw new Error(`nvpmodel table: mode ${mode.id} ${setting.param} ${setting.arg} is not a frequency: ${setting.value}`);
  return Number(setting.value);
}

/** What `nvpmodel -m N` printed: whether it needs, asked for, or started a reboot. */
export function parseNvpmodelSetOutput(text: string): PowerModeChange {
  // Only nvpmodel's own lines: a transcript may hold the user's echoed answer.
  const messages = text.split(/\r?\n/).filter((line) => NVPM_PREFIX.test(line));
  const said = (pattern: RegExp): boolean => messages.some((line) => pattern.test(line));
  return {
    rebootRequired: said(/reboot required/i),
    rebootPrompted: said(/do you want to reboot/i),
    rebooting: said(/^NVPM \w+:\s*rebooting\b/i),
    errors: messages.filter((line) => line.startsWith("NVPM ERROR")).map((line) => line.replace(NVPM_PREFIX, "")),
  };
}
