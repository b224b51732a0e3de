#!/usr/bin/env node
// Stand-in for libgpiod v1 gpioinfo [CHIP...]: every line of the chips in tools/gpioinfo.c's layout.
// The simulation never holds a line (gpioset releases it on exit), so every line is "unused".
import { columns, die, gpioChips, lineState, loadLines, lookupChip } from "../lib/jetson-sim/gpio.mjs";
import { loadSpec, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "gpioinfo");
const spec = loadSpec(root);
const option = args.find((arg) => arg.startsWith("-"));
if (option) die("gpioinfo", `unrecognized option '${option}'`);
const chips =
  args.length === 0
    ? gpioChips(spec)
    : args.map((arg) => lookupChip(spec, arg) ?? die("gpioinfo", `looking up chip ${arg}: No such file or directory`));
const lines = loadLines(root);
const out = [];
for (const chip of chips) {
  out.push(`${chip.name} - ${chip.lines} lines:`);
  for (let offset = 0; offset < chip.lines; offset++) {
    const col = columns();
    const name = chip.lineNames[offset];
    const { direction } = lineState(lines, chip, offset);
    out.push(
      `\tline ${col(3, String(offset))}: ${col(12, name ? `"${name}"` : "unnamed")} ${col(12, "unused")} ` +
        `${col(8, `${direction} `)}${col(13, "active-high ")}`,
    );
  }
}
process.stdout.write(`${out.join("\n")}\n`);
