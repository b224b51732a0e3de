/** One line of libgpiod `gpioinfo` (v1 or v2). */
export interface GpioinfoLine {
  offset: number;
  /** Absent for "unnamed". */
  name?: string;
  /** Who holds the line: a process or driver name, "kernel" when it gave none; absent for "unused". */
  consumer?: string;
  direction: "input" | "output";
  activeLow: boolean;
  /** v1's bracketed flags (used, open-drain, ...) or v2's attributes (drive=open-drain, bias=pull-up, ...). */
  flags: string[];
}

const DETECT = /^(\S+) \[(.*)\] \((\d+) lines\)$/;
const CHIP = /^(\S+) - (\d+) lines:$/;
const LINE = /^\s*line\s+(\d+):\s+("[^"]*"|unnamed)\s+("[^"]*"|unused)\s+(input|output)\s+(active-high|active-low)(?:\s+\[([^\]]*)\])?\s*$/;
// libgpiod v2 (tools/gpioinfo.c print_line_info, tools-common.c print_line_attributes): name, direction, then
// only what is set: active-low, drive=, bias=, edges=, event-clock=, debounce-period=, and consumer= last.
// v2.1 (Ubuntu 24.04) leaves the consumer of an unnamed line unquoted.
const LINE_V2 = /^\s*line\s+(\d+):\s+("[^"]*"|unnamed)\s+(input|output)((?: (?!consumer=)[a-z-]+(?:=[^\s"]+)?)*)(?: consumer=(?:"(.*)"|(.*)))?\s*$/;

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

/** `gpioinfo [CHIP...]` (v1) or `gpioinfo -c CHIP` (v2), one or more chips: every listed chip's lines by device name. */
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
    const line = lineV1(raw) ?? lineV2(raw);
    if (!line || !lines) throw new Error(`gpioinfo: cannot read line ${JSON.stringify(raw)}`);
    lines.push(line);
  }
  return chips;
}

function lineV1(raw: string): GpioinfoLine | undefined {
  const m = LINE.exec(raw);
  if (!m) return undefined;
  return gpioinfoLine(m[1] as string, m[2] as string, m[3] === "unused" ? undefined : unquote(m[3] as string), m[4] as string, {
    activeLow: m[5] === "active-low",
    flags: m[6] ? m[6].split(/\s+/) : [],
  });
}

function lineV2(raw: string): GpioinfoLine | undefined {
  const m = LINE_V2.exec(raw);
  if (!m) return undefined;
  const attributes = (m[4] as string).split(" ").filter((a) => a !== "");
  return gpioinfoLine(m[1] as string, m[2] as string, m[5] ?? m[6], m[3] as string, {
    activeLow: attributes.includes("active-low"),
    flags: attributes.filter((a) => a !== "active-low"),
  });
}

function gpioinfoLine(offset: string, name: string, consumer: string | undefined, direction: string, rest: Pick<GpioinfoLine, "activeLow" | "flags">): GpioinfoLine {
  return {
    offset: Number(offset),
    ...(name === "unnamed" ? {} : { name: unquote(name) }),
    ...(consumer === undefined ? {} : { consumer }),
    direction: direction as "input" | "output",
    ...rest,
  };
}

function unquote(text: string): string {
  return text.slice(1, -1);
}
