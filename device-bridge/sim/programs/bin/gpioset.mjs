#!/usr/bin/env node
// Stand-in for libgpiod v1 gpioset [-l] [-m exit] CHIP OFFSET=VALUE...: drives the lines and exits,
// releasing them; the simulated pads keep driving the value, as Tegra's GPIO controllers do.
import { die, loadLines, lookupChip, saveLines } from "../lib/jetson-sim/gpio.mjs";
import { loadSpec, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "gpioset");
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
const chip = lookupChip(loadSpec(root), device) ?? die("gpioset", "error setting the GPIO line values: No such file or directory");
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
