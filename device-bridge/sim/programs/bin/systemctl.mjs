#!/usr/bin/env node
// Stand-in for systemctl that knows only `reboot`: the simulated board reboots at once
// (a power mode nvpmodel left pending takes effect, clock locks are gone, uptime starts again).
import { reboot } from "../lib/jetson-sim/machine.mjs";
import { startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "systemctl");
if (args.length === 1 && args[0] === "reboot") {
  reboot(root);
} else {
  process.stderr.write(`systemctl (simulated): only "systemctl reboot" is supported, not: ${args.join(" ")}\n`);
  process.exitCode = 1;
}
