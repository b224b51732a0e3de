// libgpiod v1's gpiodetect, gpioinfo, gpioget and gpioset (JetPack 4 to 6), after tools/*.c before the v2 rework.
// The simulation never holds a line: gpioset releases it on exit, so every line is "unused".
import { columns, die, gpioChips, lineState, loadLines, lookupChip, saveLines, versionLine } from "./gpio.mjs";

/** -v / --version, which every v1 tool takes. */
function printVersion(program, spec, args) {
  if (args.length !== 1 || (args[0] !== "-v" && args[0] !== "--version")) return false;
  process.stdout.write(versionLine(program, spec.generation.libgpiod));
  return true;
}

/** gpiodetect: one line per GPIO chip, "gpiochip0 [tegra234-gpio] (164 lines)". */
export function gpiodetect(_root, spec, args) {
  if (printVersion("gpiodetect", spec, args)) return;
  if (args.length > 0) die("gpiodetect", `unrecognized argument: ${args[0]}`);
  for (const chip of gpioChips(spec)) process.stdout.write(`${chip.name} [${chip.label}] (${chip.lines} lines)\n`);
}

/** gpioinfo [CHIP...]: every line of the chips in tools/gpioinfo.c's layout. */
export function gpioinfo(root, spec, args) {
  if (printVersion("gpioinfo", spec, args)) return;
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
}

/** gpioget [-l] CHIP OFFSET...: requests each line as an input and prints its values. */
export function gpioget(root, spec, args) {
  if (printVersion("gpioget", spec, args)) return;
  const activeLow = args.includes("-l") || args.includes("--active-low");
  const rest = args.filter((arg) => arg !== "-l" && arg !== "--active-low");
  const option = rest.find((arg) => arg.startsWith("-"));
  if (option) die("gpioget", `unrecognized option '${option}'`);
  const [device, ...offsets] = rest;
  if (device === undefined) die("gpioget", "gpiochip must be specified");
  if (offsets.length === 0) die("gpioget", "at least one GPIO line offset must be specified");
  const chip = lookupChip(spec, device) ?? die("gpioget", "error reading GPIO values: No such file or directory");
  const lines = loadLines(root);
  const values = offsets.map((text) => {
    if (!/^\d+$/.test(text)) die("gpioget", `invalid GPIO offset: ${text}`);
    const offset = Number(text);
    if (offset >= chip.lines) die("gpioget", "error reading GPIO values: Invalid argument");
    const { level } = lineState(lines, chip, offset);
    lines[`${chip.name}:${offset}`] = { direction: "input", level };
    return activeLow ? 1 - level : level;
  });
  saveLines(root, lines);
  process.stdout.write(`${values.join(" ")}\n`);
}

/**
 * gpioset [-l] [-m exit] CHIP OFFSET=VALUE...: drives the lines and exits, releasing them; the simulated
 * pads keep driving the value, as Tegra's GPIO controllers do.
 */
export function gpioset(root, spec, args) {
  if (printVersion("gpioset", spec, args)) return;
  let activeLow = false;
  const rest = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "-l" || arg === "--active-low") activeLow = true;
    else if (arg === "-m" || arg === "--mode" || arg.startsWith("--mode=")) {
      const mode = arg.startsWith("--mode=") ? arg.slice("--mode=".length) : args[++i];
      if (mode !== "exit") die("gpioset", `the simulated gpioset supports only --mode=exit, not ${mode}`);
    } else if (arg.startsWith("-")) die("gpioset", `unrecognized option '${arg}'`);
    else rest.push(arg);
  }
  const [device, ...mappings] = rest;
  if (device === undefined) die("gpioset", "gpiochip must be specified");
  if (mappings.length === 0) die("gpioset", "at least one GPIO line offset to value mapping must be specified");
  const chip = lookupChip(spec, device) ?? die("gpioset", "error setting the GPIO line values: No such file or directory");
  const lines = loadLines(root);
  for (const mapping of mappings) {
    const match = /^(\d+)=([01])$/.exec(mapping);
    if (!match) die("gpioset", `invalid offset<->value mapping: ${mapping}`);
    const offset = Number(match[1]);
    if (offset >= chip.lines) die("gpioset", "error setting the GPIO line values: Invalid argument");
    const value = Number(match[2]);
    lines[`${chip.name}:${offset}`] = { direction: "output", level: activeLow ? 1 - value : value };
  }
  saveLines(root, lines);
}
