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

// One "PARAM ARG VALUE" line of a mode; settings other than CPU online and CPU/GPU clocks are not kept.
function applySetting(mode: PowerMode, [param, arg, value, ...rest]: string[]): void {
  if (param === undefined || arg === undefined || value === undefined || rest.length > 0) return;
  const params = mode.params;
  const core = param === "CPU_ONLINE" ? CORE.exec(arg)?.[1] : undefined;
  if (core !== undefined) {
    (params.cpuOnline ??= {})[core] = value === "1";
    return;
  }
  const bound = BOUNDS.get(arg);
  if (bound === undefined) return;
  if (param === "GPU") {
    (params.gpuFreq ??= {})[bound.gpu] = clockLimit(mode, param, arg, value);
  } else if (param.startsWith("CPU_") && param !== "CPU_ONLINE") {
    ((params.cpuFreqs ??= {})[param] ??= {})[bound.cpu] = clockLimit(mode, param, arg, value);
  }
}

function clockLimit(mode: PowerMode, param: string, arg: string, value: string): ClockLimit {
  if (UNCAPPED.has(value)) return "max";
  if (!/^\d+$/.test(value)) throw new Error(`nvpmodel table: mode ${mode.id} ${param} ${arg} is not a frequency: ${value}`);
  return Number(value);
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
