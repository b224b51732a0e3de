import type { TelemetrySample } from "@jetson/protocol";
import { temperatureKey } from "../telemetry/temperature-key.js";
import { NOT_CONNECTED, totalPowerMW } from "../telemetry/total-power.js";

type Cpu = NonNullable<TelemetrySample["cpus"]>[number];
type LoadFreq = NonNullable<TelemetrySample["gpu"]>;
type Rail = NonNullable<TelemetrySample["powerMW"]>[string];
type Engine = NonNullable<TelemetrySample["engines"]>[string];

/** A line read as far as it goes: every field it could read, and the tokens it could not. */
export interface TegrastatsReading {
  sample: TelemetrySample;
  unread: string[];
}

// Runs of non-space characters; a [..] or (..) group stays in one token even if it holds spaces.
const TOKEN = /(?:[^\s[(]|\[[^\]]*\]|\([^)]*\))+/g;
// TX2 and Xavier's MTS: four tokens that describe the Denver cores' tasks, nothing the sample keeps.
const MTS = /\bMTS fg \d+% bg \d+%/g;
const DATE = /^(\d{2})-(\d{2})-(\d{4})$/;
const TIME = /^\d{2}:\d{2}:\d{2}$/;
const USED_TOTAL_MB = /^(\d+)\/(\d+)MB$/;
const CPU_LIST = /^\[([^\]]*)\](?:@(\d+))?$/; // R28 prints one shared frequency after the list
const CPU_ENTRY = /^(\d+)%(?:@(\d+))?$/;
// 3%@2133, 0%@[305,305] (first is the frequency), 0% (no root), @[0,0,0] and @0 (JetPack 7, no load)
const LOAD_FREQ = /^(?:(\d+)%)?(?:@(?:(\d+)|\[(\d+)(?:,\d+)*\]))?$/;
// cpu@45.812C, JetPack 7 cpu@45.437C/45.812C (the first is the current value)
const TEMP = /^([A-Za-z][\w-]*)@(-?\d+(?:\.\d+)?)C(?:\/-?\d+(?:\.\d+)?C)*$/;
// A rail is any name with now/avg: without unit (JetPack 4, even when named CPU or GPU), with mW (5/6), plus max (7)
const RAIL_NAME = /^[A-Za-z]\w*$/;
const RAIL_VALUE = /^(\d+)(?:mW)?\/(\d+)(?:mW)?(?:\/(\d+)(?:mW)?)?$/;
// Hardware engines, numbered or not, and their JetPack 7 `_FREQ` forms.
const ENGINE = /^(?:NVENC|NVDEC|NVJPG|MSENC|VIC|OFA|APE|NVDLA|PVA)\d*(?:_FREQ)?$/;
// JetPack 7 numbers the first encoder, decoder and JPEG engine; JetPack 6 and sysfs do not (NVJPG, NVJPG1).
const FIRST_OF_SEVERAL = /^(NVENC|NVDEC|NVJPG)0$/;
const OFFLINE_C = -256;
// PMIC-Die reports a fixed placeholder (100 C, or 50 C on some releases), never a reading.
const PLACEHOLDER_SENSORS = new Set(["pmic"]);

interface Draft {
  sample: TelemetrySample;
  temps: Record<string, number>;
  rails: Record<string, Rail>;
  engines: Record<string, Engine>;
}

/** Reads a field's value into the draft; false when the value is not of that field's shape. */
type ValueReader = (value: string, draft: Draft, name: string) => boolean;

// Fields named by one token and read from the next; R28 (TX1) spells them cpu, EMC, GR3D.
const NAMED = new Map<string, ValueReader>([
  ["RAM", (v, d) => put(d, "ram", usedTotal(v))],
  ["SWAP", (v, d) => put(d, "swap", usedTotal(v))],
  ["CPU", (v, d) => put(d, "cpus", cpus(v))],
  ["cpu", (v, d) => put(d, "cpus", cpus(v))],
  ["GR3D_FREQ", (v, d) => put(d, "gpu", loadFreq(v))],
  ["GR3D", (v, d) => put(d, "gpu", loadFreq(v))],
  ["EMC_FREQ", (v, d) => readEmc(v, d)],
  ["EMC", (v, d) => readEmc(v, d)],
  // Known and left out: video memory (TX1/Nano) and JetPack 5.1 AGX Orin's second GPC, whose load GR3D_FREQ has.
  ["IRAM", (v) => /^\d+\/\d+kB/.test(v)],
  ["GR3D2_FREQ", (v) => loadFreq(v) !== undefined],
]);

/**
 * One line of `tegrastats` output in the canonical sample shape. A field whose value cannot be read
 * is left out and named in `unread`; the rest of the line is kept. Throws only on a line that is
 * not tegrastats output at all (no RAM field).
 */
export function readTegrastatsLine(line: string): TegrastatsReading {
  const tokens: string[] = line.replace(MTS, " ").match(TOKEN) ?? [];
  if (!tokens.includes("RAM")) throw new Error("not a tegrastats line (no RAM field)");
  const draft: Draft = { sample: {}, temps: {}, rails: {}, engines: {} };
  const unread: string[] = [];
  let i = 0;
  const date = DATE.exec(tokens[0] ?? "");
  if (date && TIME.test(tokens[1] ?? "")) {
    draft.sample.time = `${date[3]}-${date[1]}-${date[2]}T${tokens[1]}`;
    i = 2;
  }
  while (i < tokens.length) {
    const token = tokens[i] as string;
    const next = tokens[i + 1];
    if (token.startsWith("(")) {
      i += 1; // (lfb ...), (cached ...): details of the field before
      continue;
    }
    const rail = next === undefined || !RAIL_NAME.test(token) ? null : RAIL_VALUE.exec(next);
    if (rail) {
      if (!NOT_CONNECTED.test(token)) draft.rails[token] = railValue(rail);
      i += 2;
      continue;
    }
    const reader = NAMED.get(token) ?? (ENGINE.test(token) ? readEngine : undefined);
    if (reader) {
      if (next !== undefined && reader(next, draft, token)) {
        i += 2;
        continue;
      }
      // A value of the wrong shape is lost with its name, unless it is itself the start of a field.
      const valueIsField = next === undefined || startsField(tokens, i + 1);
      unread.push(valueIsField ? token : `${token} ${next}`);
      i += valueIsField ? 1 : 2;
      continue;
    }
    const temp = TEMP.exec(token);
    if (temp) {
      readTemp(temp, draft.temps);
      i += 1;
      continue;
    }
    unread.push(token);
    i += 1;
  }
  return { sample: finish(draft), unread };
}

/** The sample of a line, whatever it could not read (see readTegrastatsLine). */
export function parseTegrastatsLine(line: string): TelemetrySample {
  return readTegrastatsLine(line).sample;
}

function startsField(tokens: readonly string[], i: number): boolean {
  const token = tokens[i] as string;
  const next = tokens[i + 1];
  return (
    NAMED.has(token) ||
    ENGINE.test(token) ||
    TEMP.test(token) ||
    (next !== undefined && RAIL_NAME.test(token) && RAIL_VALUE.test(next))
  );
}

function finish({ sample, temps, rails, engines }: Draft): TelemetrySample {
  if (Object.keys(temps).length > 0) sample.tempsC = temps;
  if (Object.keys(engines).length > 0) sample.engines = engines;
  if (Object.keys(rails).length > 0) {
    sample.powerMW = rails;
    sample.totalPowerMW = totalPowerMW(rails);
  }
  return sample;
}

function put<K extends keyof TelemetrySample>(draft: Draft, key: K, value: TelemetrySample[K] | undefined): boolean {
  if (value === undefined) return false;
  draft.sample[key] = value;
  return true;
}

function usedTotal(value: string): { usedMB: number; totalMB: number } | undefined {
  const m = USED_TOTAL_MB.exec(value);
  return m ? { usedMB: Number(m[1]), totalMB: Number(m[2]) } : undefined;
}

function cpus(value: string): Cpu[] | undefined {
  const list = CPU_LIST.exec(value);
  if (!list || list[1]?.trim() === "") return undefined;
  const shared = list[2];
  const entries = (list[1] as string).split(",").map((raw): Cpu | undefined => {
    const entry = raw.trim();
    if (entry === "off") return { online: false };
    const m = CPU_ENTRY.exec(entry);
    if (!m) return undefined;
    const freq = m[2] ?? shared;
    const load = Number(m[1]);
    return freq === undefined ? { loadPct: load } : { loadPct: load, freqMHz: Number(freq) };
  });
  // A core list with an unreadable entry is dropped whole: positions are core numbers.
  return entries.every((entry): entry is Cpu => entry !== undefined) ? entries : undefined;
}

function loadFreq(value: string): LoadFreq | undefined {
  const m = LOAD_FREQ.exec(value);
  const load = m?.[1];
  const freq = m?.[2] ?? m?.[3];
  if (load === undefined && freq === undefined) return undefined;
  return {
    ...(load === undefined ? {} : { loadPct: Number(load) }),
    ...(freq === undefined ? {} : { freqMHz: Number(freq) }),
  };
}

// Without root tegrastats cannot read the EMC clock and prints "EMC_FREQ 0%" on JetPack 4 and 5 whatever the
// traffic (jtop's tests/tegrastats emulator: non-root lines have it, root lines always have @MHz): that load is
// a placeholder, so EMC stays absent. GR3D_FREQ's load without a clock is a real reading.
function readEmc(value: string, draft: Draft): boolean {
  const reading = loadFreq(value);
  if (reading === undefined) return false;
  if (reading.freqMHz !== undefined) draft.sample.emc = reading;
  return true;
}

// NVENC off, APE 174, NVENC 79%@166, NVENC0_FREQ @0: a printed clock is an enabled one.
const readEngine: ValueReader = (value, draft, name) => {
  const key = name.replace(/_FREQ$/, "").replace(FIRST_OF_SEVERAL, "$1");
  if (value === "off") {
    draft.engines[key] = { online: false };
    return true;
  }
  const reading = /^\d+$/.test(value) ? { freqMHz: Number(value) } : loadFreq(value);
  if (reading === undefined) return false;
  draft.engines[key] = { online: true, ...reading };
  return true;
};

function readTemp(m: RegExpExecArray, temps: Record<string, number>): void {
  const key = temperatureKey(m[1] as string);
  const celsius = Number(m[2]);
  if (celsius === OFFLINE_C || PLACEHOLDER_SENSORS.has(key) || key in temps) return;
  temps[key] = celsius;
}

function railValue(m: RegExpExecArray): Rail {
  const rail: Rail = { now: Number(m[1]), avg: Number(m[2]) };
  if (m[3] !== undefined) rail.max = Number(m[3]);
  return rail;
}
