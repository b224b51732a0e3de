// libgpiod v2's gpiodetect, gpioinfo, gpioget and gpioset (JetPack 7, Ubuntu 24.04), after tools/*.c of v2.1:
// options before operands, chips by -c (number, name or path), lines by name or, with -c, by offset.
import { die, gpioChips, lineState, loadLines, lookupChipV2, saveLines, versionLine } from "./gpio.mjs";
import { getopt } from "./getopt.mjs";

const COMMON = { chip: "c", help: "h", version: "v", strict: "s", "by-name": "B", unquoted: "Q" };

/** Options as the tool's getopt_long reads them; exits on --version or an unknown option. */
function options(program, spec, args, shorts, longs) {
  const parsed = getopt(args, shorts, longs);
  if (parsed.error) {
    process.stderr.write(`${program}: ${parsed.error}\n`);
    die(program, `try ${program} --help`);
  }
  if (parsed.options.has("v")) {
    process.stdout.write(versionLine(program, spec.generation.libgpiod));
    process.exit(0);
  }
  return parsed;
}

/** The chips -c names, or every chip. */
function chipsOf(program, spec, opts) {
  const id = opts.get("c");
  if (id === undefined) return gpioChips(spec);
  return [lookupChipV2(spec, id) ?? die(program, `cannot find GPIO chip character device '${id}'`)];
}

/** Each line id as tools-common.c resolves it: an offset on the -c chip unless --by-name, else a name on any chip. */
function resolve(program, spec, opts, ids) {
  const chips = chipsOf(program, spec, opts);
  const byOffset = opts.has("c") && !opts.has("B");
  const found = ids.map((id) => {
    if (byOffset && /^\d+$/.test(id)) return Number(id) < chips[0].lines ? { id, chip: chips[0], offset: Number(id) } : undefined;
    for (const chip of chips) {
      const offset = chip.lineNames.indexOf(id);
      if (offset !== -1) return { id, chip, offset };
    }
    return undefined;
  });
  const missing = ids.filter((_, i) => found[i] === undefined);
  for (const id of missing) {
    const why = byOffset && /^\d+$/.test(id) ? `offset ${id} is out of range on chip '${opts.get("c")}'` : `cannot find line '${id}'`;
    process.stderr.write(`${program}: ${why}\n`);
  }
  if (missing.length > 0) process.exit(1);
  return found;
}

// gpioinfo.c print_line_info(): a quoted name of up to 14 characters is padded to 16, a longer one is not.
function nameField(name) {
  if (name === undefined) return "unnamed".padEnd(16);
  return name.length <= 14 ? `"${name}"`.padEnd(16) : `"${name}"`;
}

function lineInfo(lines, chip, offset) {
  return `${nameField(chip.lineNames[offset])}\t${lineState(lines, chip, offset).direction}`;
}

/** gpiodetect [chip]...: one line per GPIO chip, as in v1. */
export function gpiodetect(_root, spec, args) {
  const { operands } = options("gpiodetect", spec, args, "+hv", { help: "h", version: "v" });
  const chips = operands.length === 0 ? gpioChips(spec) : operands.map((id) => lookupChipV2(spec, id) ?? die("gpiodetect", `cannot find GPIO chip character device '${id}'`));
  for (const chip of chips) process.stdout.write(`${chip.name} [${chip.label}] (${chip.lines} lines)\n`);
}

/** gpioinfo [-c chip] [line]...: every line of the chips, or the lines named. */
export function gpioinfo(root, spec, args) {
  const { options: opts, operands } = options("gpioinfo", spec, args, "+c:hsv", COMMON);
  const lines = loadLines(root);
  const out = [];
  if (operands.length === 0) {
    for (const chip of chipsOf("gpioinfo", spec, opts)) {
      out.push(`${chip.name} - ${chip.lines} lines:`);
      for (let offset = 0; offset < chip.lines; offset++) out.push(`\tline ${String(offset).padStart(3)}:\t${lineInfo(lines, chip, offset)}`);
    }
  } else {
    for (const { chip, offset } of resolve("gpioinfo", spec, opts, operands)) out.push(`${chip.name} ${offset}\t${lineInfo(lines, chip, offset)}`);
  }
  process.stdout.write(`${out.join("\n")}\n`);
}

/** gpioget [-l] [--numeric] [-c chip] line...: requests each line as an input and prints "id"=active or 1. */
export function gpioget(root, spec, args) {
  const { options: opts, operands } = options("gpioget", spec, args, "+ab:c:C:hlp:sv", { ...COMMON, "active-low": "l", "as-is": "a", numeric: "N", bias: "b", consumer: "C", "hold-period": "p" });
  if (operands.length === 0) die("gpioget", "at least one GPIO line must be specified");
  const lines = loadLines(root);
  const values = resolve("gpioget", spec, opts, operands).map(({ id, chip, offset }) => {
    const { direction, level } = lineState(lines, chip, offset);
    lines[`${chip.name}:${offset}`] = { direction: opts.has("a") ? direction : "input", level };
    const value = opts.has("l") ? 1 - level : level;
    return opts.has("N") ? String(value) : `"${id}"=${value ? "active" : "inactive"}`;
  });
  saveLines(root, lines);
  process.stdout.write(`${values.join(" ")}\n`);
}

const VALUES = { 0: 0, 1: 1, inactive: 0, active: 1, off: 0, on: 1, false: 0, true: 1 };

/**
 * gpioset [-l] [-t periods] [-c chip] line=value...: drives the lines and holds them until killed, or
 * with -t0 exits at once, releasing them; the simulated pads keep driving the value.
 */
export function gpioset(root, spec, args) {
  const { options: opts, operands } = options("gpioset", spec, args, "+b:c:C:d:hlp:st:vz", {
    ...COMMON,
    "active-low": "l",
    bias: "b",
    consumer: "C",
    drive: "d",
    "hold-period": "p",
    toggle: "t",
    daemonize: "z",
    banner: "-",
  });
  if (operands.length === 0) die("gpioset", "at least one GPIO line value must be specified");
  const toggle = opts.get("t");
  if (toggle !== undefined && toggle !== "0") die("gpioset", `the simulated gpioset toggles only with -t0, not -t${toggle}`);
  if (opts.has("z")) die("gpioset", "the simulated gpioset does not daemonize");
  const mappings = operands.map((operand) => {
    const at = operand.indexOf("=");
    if (at === -1) die("gpioset", `invalid line value: '${operand}'`);
    const text = operand.slice(at + 1);
    if (!Object.hasOwn(VALUES, text)) die("gpioset", `invalid line value: '${text}'`);
    return { id: operand.slice(0, at), value: VALUES[text] };
  });
  const lines = loadLines(root);
  resolve("gpioset", spec, opts, mappings.map((m) => m.id)).forEach(({ chip, offset }, i) => {
    const value = mappings[i].value;
    lines[`${chip.name}:${offset}`] = { direction: "output", level: opts.has("l") ? 1 - value : value };
  });
  saveLines(root, lines);
  if (toggle === "0") return;
  // Held until a signal ends it, as the real gpioset waits on its request.
  const release = () => process.exit(0);
  process.on("SIGTERM", release);
  process.on("SIGINT", release);
  setInterval(() => {}, 1 << 30);
}
