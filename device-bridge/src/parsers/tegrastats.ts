import type { TelemetrySample } from "@jetson/protocol";
import { NOT_CONNECTED, totalPowerMW } from "../telemetry/total-power.js";

type Cpu = NonNullable<TelemetrySample["cpus"]>[number];
type LoadFreq = NonNullable<TelemetrySample["gpu"]>;
type Rail = NonNullable<TelemetrySample["powerMW"]>[string];

// Runs of non-space characters; a [..] group stays in one token even if it holds spaces.
const TOKEN = /(?:[^\s[]|\[[^\]]*\])+/g;
const DATE = /^(\d{2})-(\d{2})-(\d{4})$/;
const TIME = /^\d{2}:\d{2}:\d{2}$/;
const USED_TOTAL_MB = /^(\d+)\/(\d+)MB$/;
const CPU_LIST = /^\[([^\]]*)\](?:@(\d+))?$/; // R28 prints one shared frequency after the list
const CPU_ENTRY = /^(\d+)%(?:@(\d+))?$/;
// 3%@2133, 0%@[305,305] (first is the frequency), 0%, @[0,0,0] (JetPack 7, no load)
const LOAD_FREQ = /^(?:(\d+)%)?(?:@(?:(\d+)|\[(\d+)(?:,\d+)*\]))?$/;
// cpu@45.812C, JetPack 7 cpu@45.437C/45.812C (the first is the current value)
const TEMP = /^([A-Za-z][\w-]*)@(-?\d+(?:\.\d+)?)C(?:\/-?\d+(?:\.\d+)?C)*$/;
// now/avg without unit (JetPack 4), with mW (5/6), plus max (7)
const RAIL_NAME = /^[A-Za-z]\w*$/;
const RAIL_VALUE = /^(\d+)(?:mW)?\/(\d+)(?:mW)?(?:\/(\d+)(?:mW)?)?$/;
const OFFLINE_C = -256;
// PMIC-Die reports a fixed placeholder (100 C, or 50 C on some releases), never a reading.
const PLACEHOLDER_SENSORS = new Set(["pmic"]);

type FieldReader = (value: string, sample: TelemetrySample) => void;

// Fields named by one token and read from the next; R28 (TX1) spells them cpu, EMC, GR3D.
const FIELDS = new Map<string, FieldReader>([
  ["RAM", (v, s) => (s.ram = usedTotal("RAM", v))],
  ["SWAP", (v, s) => (s.swap = usedTotal("SWAP", v))],
  ["CPU", (v, s) => (s.cpus = cpus(v))],
  ["cpu", (v, s) => (s.cpus = cpus(v))],
  ["GR3D_FREQ", (v, s) => (s.gpu = loadFreq("GR3D_FREQ", v))],
  ["GR3D", (v, s) => (s.gpu = loadFreq("GR3D", v))],
  ["EMC_FREQ", (v, s) => (s.emc = loadFreq("EMC_FREQ", v))],
  ["EMC", (v, s) => (s.emc = loadFreq("EMC", v))],
]);

/** One line of `tegrastats` output in the canonical sample shape; throws on a line that is not one. */
export function parseTegrastatsLine(line: string): TelemetrySample {
  const tokens = line.match(TOKEN) ?? [];
  const sample: TelemetrySample = {};
  let i = 0;
  const date = DATE.exec(tokens[0] ?? "");
  if (date && TIME.test(tokens[1] ?? "")) {
    sample.time = `${date[3]}-${date[1]}-${date[2]}T${tokens[1]}`;
    i = 2;
  }
  const temps: Record<string, number> = {};
  const rails: Record<string, Rail> = {};
  while (i < tokens.length) {
    const token = tokens[i] as string;
    const next = tokens[i + 1];
    const field = FIELDS.get(token);
    if (field) {
      if (next === undefined) throw new Error(`tegrastats: ${token} has no value`);
      field(next, sample);
      i += 2;
      continue;
    }
    const temp = TEMP.exec(token);
    if (temp) {
      const name = (temp[1] as string).toLowerCase();
      const celsius = Number(temp[2]);
      if (celsius !== OFFLINE_C && !PLACEHOLDER_SENSORS.has(name)) temps[name] = celsius;
      i += 1;
      continue;
    }
    const rail = next === undefined || !RAIL_NAME.test(token) ? null : RAIL_VALUE.exec(next);
    if (rail) {
      if (!NOT_CONNECTED.test(token)) rails[token] = railValue(rail);
      i += 2;
      continue;
    }
    i += 1; // engines (NVENC, VIC_FREQ, APE, NVDLA0, ...), IRAM, MTS, lfb details
  }
  if (!sample.ram) throw new Error("not a tegrastats line (no RAM field)");
  if (Object.keys(temps).length > 0) sample.tempsC = temps;
  if (Object.keys(rails).length > 0) {
    sample.powerMW = rails;
    sample.totalPowerMW = totalPowerMW(rails);
  }
  return sample;
}

function usedTotal(field: string, value: string): { usedMB: number; totalMB: number } {
  const m = USED_TOTAL_MB.exec(value);
  if (!m) throw new Error(`tegrastats: cannot read ${field} value ${JSON.stringify(value)}`);
  return { usedMB: Number(m[1]), totalMB: Number(m[2]) };
}

function cpus(value: string): Cpu[] {
  const list = CPU_LIST.exec(value);
  if (!list || list[1]?.trim() === "") throw new Error(`tegrastats: cannot read CPU value ${JSON.stringify(value)}`);
  const shared = list[2];
  return (list[1] as string).split(",").map((raw) => {
    const entry = raw.trim();
    if (entry === "off") return { online: false };
    const m = CPU_ENTRY.exec(entry);
    if (!m) throw new Error(`tegrastats: cannot read CPU entry ${JSON.stringify(entry)}`);
    const freq = m[2] ?? shared;
    const load = Number(m[1]);
    return freq === undefined ? { loadPct: load } : { loadPct: load, freqMHz: Number(freq) };
  });
}

function loadFreq(field: string, value: string): LoadFreq {
  const m = LOAD_FREQ.exec(value);
  const load = m?.[1];
  const freq = m?.[2] ?? m?.[3];
  if (load === undefined && freq === undefined) {
    throw new Error(`tegrastats: cannot read ${field} value ${JSON.stringify(value)}`);
  }
  return {
    ...(load === undefined ? {} : { loadPct: Number(load) }),
    ...(freq === undefined ? {} : { freqMHz: Number(freq) }),
  };
}

function railValue(m: RegExpExecArray): Rail {
  const rail: Rail = { now: Number(m[1]), avg: Number(m[2]) };
  if (m[3] !== undefined) rail.max = Number(m[3]);
  return rail;
}
