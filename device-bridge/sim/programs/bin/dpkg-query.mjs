#!/usr/bin/env node
// Stand-in for dpkg-query -W / --show [--showformat=FORMAT | -f FORMAT] [PATTERN...] on the simulated
// dpkg database: shell-style patterns, ${Field} and ${Field;width} in the format, \n and \t escapes.
import { loadAdmin } from "../lib/jetson-sim/admin.mjs";
import { archive } from "../lib/jetson-sim/packages.mjs";
import { loadSpec, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "dpkg-query");
let format = "${binary:Package}\t${Version}\n";
let show = false;
const patterns = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === "-W" || arg === "--show") show = true;
  else if (arg === "-f" || arg === "--showformat") format = args[++i];
  else if (arg.startsWith("--showformat=")) format = arg.slice("--showformat=".length);
  else if (arg.startsWith("-f=")) format = arg.slice(3);
  else if (arg.startsWith("-")) {
    process.stderr.write(`dpkg-query: error: unknown option ${arg}\n\nUse --help for help about querying packages.\n`);
    process.exit(2);
  } else patterns.push(arg);
}
if (!show) {
  process.stderr.write("dpkg-query: error: need an action option\n\nUse --help for help about querying packages.\n");
  process.exit(2);
}

const { board } = loadSpec(root);
const packages = archive(board);
const database = loadAdmin(root).dpkg;
const STATUS = { "ii ": "install ok installed", "rc ": "deinstall ok config-files", "iF ": "install ok half-configured" };

const glob = (pattern) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*").replaceAll("?", ".")}$`);
const names = Object.keys(database).sort();
let missing = false;
const shown = new Set();
for (const pattern of patterns.length ? patterns : ["*"]) {
  const matches = names.filter((name) => glob(pattern).test(name));
  if (matches.length === 0) {
    process.stderr.write(`dpkg-query: no packages found matching ${pattern}\n`);
    missing = true;
  }
  for (const name of matches) shown.add(name);
}
for (const name of [...shown].sort()) process.stdout.write(render(name));
process.exitCode = missing ? 1 : 0;

function render(name) {
  const entry = database[name];
  const pkg = packages[name];
  const fields = {
    Package: name,
    "binary:Package": name,
    Version: entry.version,
    Architecture: "arm64",
    "db:Status-Abbrev": entry.status,
    Status: STATUS[entry.status],
    "Installed-Size": String(pkg.sizeKiB),
    "binary:Summary": pkg.summary,
  };
  return format
    .replace(/\\([nt\\])/g, (_m, c) => ({ n: "\n", t: "\t", "\\": "\\" })[c])
    .replace(/\$\{([^};]+)(?:;(-?\d+))?\}/g, (_m, field, width) => {
      const value = fields[field] ?? "";
      if (width === undefined) return value;
      const n = Number(width);
      return n < 0 ? value.padEnd(-n) : value.padStart(n);
    });
}
