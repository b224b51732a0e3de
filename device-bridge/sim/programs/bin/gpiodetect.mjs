#!/usr/bin/env node
// Stand-in for libgpiod v1 gpiodetect: one line per GPIO chip, "gpiochip0 [tegra234-gpio] (164 lines)".
import { die, gpioChips } from "../lib/jetson-sim/gpio.mjs";
import { loadSpec, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "gpiodetect");
if (args.length > 0) die("gpiodetect", `unrecognized argument: ${args[0]}`);
for (const chip of gpioChips(loadSpec(root))) process.stdout.write(`${chip.name} [${chip.label}] (${chip.lines} lines)\n`);
