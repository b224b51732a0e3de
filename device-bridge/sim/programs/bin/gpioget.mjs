#!/usr/bin/env node
// Stand-in for libgpiod v1 gpioget [-l] CHIP OFFSET...: requests each line as an input and prints its values.
import { die, lineState, loadLines, lookupChip, saveLines } from "../lib/jetson-sim/gpio.mjs";
import { loadSpec, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "gpioget");
const activeLow = args.includes("-l") || args.includes("--active-low");
const rest = args.filter((arg) => arg !== "-l" && arg !== "--active-low");
const option = rest.find((arg) => arg.startsWith("-"));
if (option) die("gpioget", `unrecognized option '${option}'`);
const [device, ...offsets] = rest;
if (device === undefined) die("gpioget", "gpiochip must be specified");
if (offsets.length === 0) die("gpioget", "at least one GPIO line offset must be specified");
const chip = lookupChip(loadSpec(root), device) ?? die("gpioget", "error reading GPIO values: No such file or directory");
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
