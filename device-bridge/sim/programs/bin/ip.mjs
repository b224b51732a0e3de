#!/usr/bin/env node
// Stand-in for iproute2's ip: `ip -j addr show` and `ip [-j] [-4|-6] route show default`. The board's
// generation says whether routes come as JSON with -j: iproute2 4.15 (Ubuntu 18.04, JetPack 4) prints them
// as text, as every version does without -j.
import { defaultRoutes, links } from "../lib/jetson-sim/network.mjs";
import { loadSpec, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "ip");
const { board, generation } = loadSpec(root);
let json = false;
let family;
const words = [];
for (const arg of args) {
  if (arg === "-j" || arg === "-json") json = true;
  else if (arg === "-4" || arg === "-6") family = arg === "-6" ? "inet6" : "inet";
  else if (arg.startsWith("-")) fail(`Option "${arg}" is unknown, try "ip -help".`);
  else words.push(arg);
}
const [object, verb = "show", ...rest] = words;
if (["addr", "address", "a"].includes(object) && ["show", "list", "ls"].includes(verb) && rest.length === 0) {
  if (!json) fail("ip (simulated): addresses only as JSON (-j)");
  const shown = links(board).map((link) => ({ ...link, addr_info: link.addr_info.filter((a) => family === undefined || a.family === family) }));
  print(shown);
} else if (["route", "r"].includes(object) && verb === "show" && rest.length === 1 && rest[0] === "default") {
  const routes = defaultRoutes(family ?? "inet");
  if (json && generation.ipRouteJson) print(routes);
  else process.stdout.write(routes.map((route) => `${routeText(route)}\n`).join(""));
} else {
  fail(`ip (simulated): unsupported command: ip ${args.join(" ")}`);
}

// ip -j prints one line of compact JSON.
function print(value) {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

// iproute2 v4.15.0 ip/iproute.c print_route(): each part that is set, in this order, followed by a space.
function routeText(route) {
  const parts = [
    ["via", route.gateway],
    ["dev", route.dev],
    ["proto", route.protocol],
    ["src", route.prefsrc],
    ["metric", route.metric],
    ["pref", route.pref],
  ];
  return `${route.dst} ${parts.map(([key, value]) => (value === undefined ? "" : `${key} ${value} `)).join("")}`;
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(255);
}
