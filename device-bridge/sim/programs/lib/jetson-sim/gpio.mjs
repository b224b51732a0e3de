// The simulated board's GPIO controllers as libgpiod sees them, for the gpio* stand-ins.
// Chips come from board.json; what the tools changed (direction, level) is kept in gpio.json.
// Nothing is wired to the simulated header: a line keeps the level it last drove, 0 until driven.
import { existsSync } from "node:fs";
import path from "node:path";
import { readText, writeText } from "./runtime.mjs";

const LINES_FILE = "/var/lib/jetson-sim/gpio.json";

/** [{ name: "gpiochip0", label, lines, lineNames }] in gpiochip order. */
export function gpioChips(spec) {
  return spec.board.gpioChips.map((chip, i) => ({
    name: `gpiochip${i}`,
    label: chip.label,
    lines: chip.lines,
    lineNames: (chip.ports ?? []).flatMap(([port, pins]) => Array.from({ length: pins }, (_, n) => `P${port}.${String(n).padStart(2, "0")}`)),
  }));
}

/** A chip as libgpiod v1's chip_open_lookup finds it: by number, label, name or /dev path. */
export function lookupChip(spec, descr) {
  const chips = gpioChips(spec);
  if (/^\d+$/.test(descr)) return chips[Number(descr)];
  return chips.find((c) => c.label === descr) ?? chips.find((c) => c.name === descr || `/dev/${c.name}` === descr);
}

/** A chip as libgpiod v2's tools find it (tools-common.c chip_path_lookup): by number, name or path, not by label. */
export function lookupChipV2(spec, id) {
  const chips = gpioChips(spec);
  if (/^\d+$/.test(id)) return chips[Number(id)];
  return chips.find((c) => (id.includes("/") ? `/dev/${c.name}` === id : c.name === id));
}

/**
 * The first line of `--version` (tools-common.c print_version), the same in v1 and v2 up to 2.2; releases
 * before 1.2 print the version without its "v" (libgpiod commit 8425c80 added it).
 */
export function versionLine(program, version) {
  return `${program} (libgpiod) ${/^1\.[01]\b/.test(version) ? version : `v${version}`}\n`;
}

/** What the tools changed, by "gpiochipN:offset". */
export function loadLines(root) {
  return existsSync(path.join(root, LINES_FILE)) ? JSON.parse(readText(root, LINES_FILE)) : {};
}

export function saveLines(root, lines) {
  writeText(root, LINES_FILE, `${JSON.stringify(lines)}\n`);
}

/** { direction, level } of a line; lines start as inputs at level 0. */
export function lineState(lines, chip, offset) {
  return lines[`${chip.name}:${offset}`] ?? { direction: "input", level: 0 };
}

/** libgpiod v1's tools/gpioinfo.c prinfo(): right-aligned to `width` until a value overflows, then unpadded. */
export function columns() {
  let overflowed = false;
  return (width, text) => {
    if (overflowed || text.length > width) {
      overflowed = true;
      return text;
    }
    return text.padStart(width);
  };
}

/** Prints "<program>: <message>" on standard error and exits 1, as libgpiod's die() does. */
export function die(program, message) {
  process.stderr.write(`${program}: ${message}\n`);
  process.exit(1);
}
