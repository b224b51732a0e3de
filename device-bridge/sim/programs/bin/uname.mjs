#!/usr/bin/env node
// Stand-in for coreutils uname [-asnrvmpio] on the simulated board: Linux, its hostname, its L4T
// kernel's release and version, aarch64. Ubuntu's coreutils prints the machine for -p and -i too.
import { getopt } from "../lib/jetson-sim/getopt.mjs";
import { fail, readText, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "uname");
const usage = (message) => fail(`uname: ${message}\nTry 'uname --help' for more information.`);
const LONGS = {
  all: "a",
  "kernel-name": "s",
  nodename: "n",
  "kernel-release": "r",
  "kernel-version": "v",
  machine: "m",
  processor: "p",
  "hardware-platform": "i",
  "operating-system": "o",
};
const parsed = getopt(args, "asnrvmpio", LONGS);
if (parsed.error) usage(parsed.error);
if (parsed.operands.length > 0) usage(`extra operand ‘${parsed.operands[0]}’`);

const field = {
  s: () => "Linux",
  n: () => readText(root, "/etc/hostname").trim(),
  r: () => readText(root, "/proc/sys/kernel/osrelease").trim(),
  v: () => readText(root, "/proc/sys/kernel/version").trim(),
  m: () => "aarch64",
  p: () => "aarch64",
  i: () => "aarch64",
  o: () => "GNU/Linux",
};
const { options } = parsed;
// Printed in this order whatever the order asked; no option means -s.
const asked = Object.keys(field).filter((letter) => options.has("a") || options.has(letter));
process.stdout.write(`${(asked.length ? asked : ["s"]).map((letter) => field[letter]()).join(" ")}\n`);
