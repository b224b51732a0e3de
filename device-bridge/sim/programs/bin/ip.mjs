#!/usr/bin/env node
// Stand-in for iproute2's ip with JSON output: `ip -j addr show` and `ip -j [-4|-6] route show default`.
import { defaultRoutes, links } from "../lib/jetson-sim/network.mjs";
import { loadSpec, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "ip");
const { board } = loadSpec(root);
let json = false;
let family;
const words = [];
for (const arg of args) {
  if (arg === "-j" || arg === "-json") json = true;
  else if (arg === "-4" || arg === "-6") family = arg === "-6" ? "inet6" : "inet";
  else if (arg.startsWith("-")) fail(`Option "${arg}" is unknown, try "ip -help".`);
  else words.push(arg);
}
if (!json) fail("ip (simulated): only JSON output (-j) is supported");
const [object, verb = "show", ...rest] = words;
if (["addr", "address", "a"].includes(object) && ["show", "list", "ls"].includes(verb) && rest.length === 0) {
  const shown = links(board).map((link) => ({ ...link, addr_info: link.addr_info.filter((a) => family === undefined || a.family === family) }));
  print(shown);
} else if (["route", "r"].includes(object) && verb === "show" && rest.length === 1 && rest[0] === "default") {
  print(defaultRoutes(family ?? "inet"));
} else {
  fail(`ip (simulated): unsupported command: ip ${args.join(" ")}`);
}

// ip -j prints one line of compact JSON.
function print(value) {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(255);
}
