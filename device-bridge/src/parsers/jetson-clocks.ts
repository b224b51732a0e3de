import type { ClocksStatus, CpuClock } from "@jetson/protocol";

type Clock = NonNullable<ClocksStatus["emc"]>;
type Fan = NonNullable<ClocksStatus["fan"]>;

const KEY_VALUE = /([\w.]+)=(\S*)/g;
const FAN_PWM = /pwm\d*$|^speed$/i; // hwmonN_pwm1=55 (JetPack 5+), speed=255 (TX1, TX2), PWM=34 (Nano, JetPack 4.6)

interface Draft {
  status: Omit<ClocksStatus, "cpus" | "lockedAtMax">;
  cpus: CpuClock[];
  onlineCpus?: Set<number>;
}

// What each kind of line contributes; lines matching none (DLA, PVA, stderr noise) are skipped.
const LINES: [RegExp, (m: RegExpExecArray, draft: Draft) => void][] = [
  [
    /^SOC family:\s*(\S+)(?:\s+Machine:\s*(.+))?$/,
    (m, d) => {
      d.status.soc = m[1] as string;
      if (m[2] !== undefined) d.status.machine = m[2];
    },
  ],
  // JetPack 7 prints only this list, no Online= per cpu.
  [/^Online CPUs:\s*([\d,\s-]+)$/, (m, d) => (d.onlineCpus = cpuSet(m[1] as string))],
  [/^cpu(\d+):\s*(.*)$/, (m, d) => d.cpus.push(cpuClock(Number(m[1]), m[2] as string))],
  [/^GPU\s+(.*)$/, (m, d) => (d.status.gpu = { ...d.status.gpu, ...clock(m[1] as string) })],
  [/^Active GPU TPCs:\s*(\d+)$/, (m, d) => (d.status.gpu = { ...d.status.gpu, activeTpcs: Number(m[1]) })],
  [/^EMC\s+(.*)$/, (m, d) => (d.status.emc = clock(m[1] as string))],
  // "FAN Dynamic Speed control=active hwmon2_pwm1=55" (Orin), "Fan: speed=255" (TX1, TX2)
  [/^fan\b:?\s*(.*)$/i, (m, d) => (d.status.fan = fan(m[1] as string))],
  [/^NV Power Mode:\s*(.+)$/, (m, d) => (d.status.powerMode = m[1] as string)],
];

/** `jetson_clocks --show` from TX1 (jetson_clocks.sh) to JetPack 7. CPU clocks are in kHz, GPU and EMC in Hz. */
export function parseJetsonClocksShow(text: string): ClocksStatus {
  const draft: Draft = { status: {}, cpus: [] };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    for (const [pattern, apply] of LINES) {
      const m = pattern.exec(line);
      if (m) {
        apply(m, draft);
        break;
      }
    }
  }
  const { onlineCpus } = draft;
  const cpus = draft.cpus
    .map((cpu) => (cpu.online === undefined && onlineCpus ? { ...cpu, online: onlineCpus.has(cpu.cpu) } : cpu))
    .sort((a, b) => a.cpu - b.cpu); // the tool lists cpu10 before cpu2
  if (cpus.length === 0 && !draft.status.gpu && !draft.status.soc) {
    throw new Error("jetson_clocks --show: no SOC family, cpu or GPU lines");
  }
  const status: ClocksStatus = { ...draft.status, cpus, lockedAtMax: false };
  status.lockedAtMax = lockedAtMax(status);
  return status;
}

function pairs(text: string): Map<string, string> {
  return new Map([...text.matchAll(KEY_VALUE)].map((m) => [m[1] as string, m[2] as string]));
}

function int(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

// Only keys that are present, so a missing value stays absent in JSON and in comparisons.
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function cpuClock(cpu: number, rest: string): CpuClock {
  const kv = pairs(rest.split("IdleStates:")[0] as string);
  const online = kv.get("Online");
  return defined({
    cpu,
    online: online === undefined ? undefined : online === "1",
    governor: kv.get("Governor") ?? kv.get("Gonvernor"), // jetson_clocks.sh on L4T 28 misspells it
    minKHz: int(kv.get("MinFreq")),
    maxKHz: int(kv.get("MaxFreq")),
    curKHz: int(kv.get("CurrentFreq")),
  });
}

function clock(text: string): Clock {
  const kv = pairs(text);
  return defined({ minHz: int(kv.get("MinFreq")), maxHz: int(kv.get("MaxFreq")), curHz: int(kv.get("CurrentFreq")) });
}

function fan(text: string): Fan {
  const kv = [...pairs(text)];
  const control = kv.find(([key]) => /^control$/i.test(key))?.[1];
  const pwm = int(kv.find(([key]) => FAN_PWM.test(key))?.[1]);
  return defined({ control, pwm });
}

// "0,3-5" -> {0, 3, 4, 5}
function cpuSet(list: string): Set<number> {
  const cpus = new Set<number>();
  for (const part of list.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [from, to] = part.split("-").map(Number) as [number, number?];
    for (let cpu = from; cpu <= (to ?? from); cpu++) cpus.add(cpu);
  }
  return cpus;
}

function lockedAtMax({ cpus, gpu, emc }: ClocksStatus): boolean {
  const online = cpus.filter((cpu) => cpu.online !== false);
  const cpuLocked = online.length > 0 && online.every((cpu) => cpu.minKHz !== undefined && cpu.minKHz === cpu.maxKHz);
  const gpuLocked = !gpu || (gpu.minHz !== undefined && gpu.minHz === gpu.maxHz);
  const emcLocked = !emc || (emc.curHz !== undefined && emc.curHz === emc.maxHz);
  return cpuLocked && gpuLocked && emcLocked;
}
