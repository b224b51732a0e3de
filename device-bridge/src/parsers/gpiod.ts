/** One line of libgpiod v1 `gpioinfo`. */
export interface GpioinfoLine {
  offset: number;
  /** Absent for "unnamed". */
  name?: string;
  /** Who holds the line: a process or driver name, "kernel" when it gave none; absent for "unused". */
  consumer?: string;
  direction: "input" | "output";
  activeLow: boolean;
  flags: string[];
}

const DETECT = /^(\S+) \[(.*)\] \((\d+) lines\)$/;
const CHIP = /^(\S+) - (\d+) lines:$/;
const LINE = /^\s*line\s+(\d+):\s+("[^"]*"|unnamed)\s+("[^"]*"|unused)\s+(input|output)\s+(active-high|active-low)(?:\s+\[([^\]]*)\])?\s*$/;

/** `gpiodetect`: each chip's character device name, label and line count. */
export function parseGpiodetect(text: string): { device: string; label: string; lines: number }[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const m = DETECT.exec(line.trim());
      if (!m) throw new Error(`gpiodetect: cannot read line ${JSON.stringify(line)}`);
      return { device: m[1] as string, label: m[2] as string, lines: Number(m[3]) };
    });
}

/** `gpioinfo [CHIP...]` (libgpiod v1 layout): every listed chip's lines by device name. */
export function parseGpioinfo(text: string): Map<string, GpioinfoLine[]> {
  const chips = new Map<string, GpioinfoLine[]>();
  let lines: GpioinfoLine[] | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === "") continue;
    const chip = CHIP.exec(raw);
    if (chip) {
      lines = [];
      chips.set(chip[1] as string, lines);
      continue;
    }
    const m = LINE.exec(raw);
    if (!m || !lines) throw new Error(`gpioinfo: cannot read line ${JSON.stringify(raw)}`);
    const name = m[2] === "unnamed" ? undefined : unquote(m[2] as string);
    const consumer = m[3] === "unused" ? undefined : unquote(m[3] as string);
    lines.push({
      offset: Number(m[1]),
      ...(name === undefined ? {} : { name }),
      ...(consumer === undefined ? {} : { consumer }),
      direction: m[4] as "input" | "output",
      activeLow: m[5] === "active-low",
      flags: m[6] ? m[6].split(/\s+/) : [],
    });
  }
  return chips;
}

function unquote(text: string): string {
  return text.slice(1, -1);
}
