#!/usr/bin/env node
// Stand-in for journalctl -o json [-n N] [--since=...] [-u UNIT] [-p PRIORITY] [--output-fields=A,B] [-q]
// [--no-pager] on the simulated board's journal, with the output of installed units that ran
// (unit-runner.mjs). --since reads the forms journalctl does: a local date and time, -30min, today.
// An entry's `fields` are further fields it holds (FIELD: "text"), printed after its own.
import { loadAdmin } from "../lib/jetson-sim/admin.mjs";
import { aboutUnit, journalJson } from "../lib/jetson-sim/journal.mjs";
import { boardTimezone, wallTimeToEpoch } from "../lib/jetson-sim/locale.mjs";
import { loadSpec, loadState, readText, startProgram } from "../lib/jetson-sim/runtime.mjs";
import { unitLogEntries } from "../lib/jetson-sim/unit-runner.mjs";
import { unitName } from "../lib/jetson-sim/units.mjs";

const { root, args } = startProgram(import.meta.url, "journalctl");
const PRIORITIES = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];
// journalctl prints these whatever --output-fields names.
const ALWAYS_PRINTED = ["__CURSOR", "__REALTIME_TIMESTAMP", "__MONOTONIC_TIMESTAMP", "_BOOT_ID"];
const options = { output: "short", lines: undefined, since: undefined, unit: undefined, priority: 7, outputFields: undefined };
const TAKES_VALUE = { "-o": "output", "--output": "output", "-n": "lines", "--lines": "lines", "-S": "since", "--since": "since", "-u": "unit", "--unit": "unit", "-p": "priority", "--priority": "priority", "--output-fields": "outputFields" };
for (let i = 0; i < args.length; i++) {
  const [flag, inline] = args[i].startsWith("--") ? args[i].split(/=(.*)/s) : [args[i], undefined];
  const key = TAKES_VALUE[flag];
  if (key) options[key] = inline ?? args[++i];
  else if (flag !== "--no-pager" && flag !== "-q" && flag !== "--quiet") fail(`unrecognized option '${args[i]}'`);
}
if (options.output !== "json") fail(`the simulated journalctl prints only -o json, not ${options.output}`);

const { board } = loadSpec(root);
const now = Date.now();
const priority = PRIORITIES.includes(options.priority) ? PRIORITIES.indexOf(options.priority) : Number(options.priority);
if (!(priority >= 0 && priority <= 7)) fail(`Failed to parse priority value: ${options.priority}`);
const since = options.since === undefined ? undefined : parseSince(options.since);
const unit = options.unit === undefined ? undefined : unitName(options.unit);
const hostname = readText(root, "/etc/hostname").trim();
let entries = [...loadAdmin(root).journal, ...unitLogEntries(root, unit)]
  .filter((e) => e.at <= now && e.priority <= priority && (since === undefined || e.at >= since) && (unit === undefined || aboutUnit(e, unit)))
  .sort((a, b) => a.at - b.at);
if (options.lines !== undefined) entries = entries.slice(-Number(options.lines));
const bootId = (loadState(root).bootedAt % 0xffffffff).toString(16).padStart(32, "0");
const shown = options.outputFields === undefined ? undefined : new Set([...ALWAYS_PRINTED, ...options.outputFields.split(",")]);
for (const [i, entry] of entries.entries()) {
  const record = { ...JSON.parse(journalJson({ ...entry, hostname }, bootId, i)), ...entry.fields };
  const printed = shown === undefined ? record : Object.fromEntries(Object.entries(record).filter(([field]) => shown.has(field)));
  process.stdout.write(`${JSON.stringify(printed)}\n`);
}

function parseSince(text) {
  const zone = boardTimezone(board);
  const day = (offsetDays) => {
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date(now)).split("-").map(Number);
    return wallTimeToEpoch(today[0], today[1], today[2] + offsetDays, 0, 0, 0, zone);
  };
  if (text === "today") return day(0);
  if (text === "yesterday") return day(-1);
  const relative = /^-(\d+)(s|min|h|d|w)$/.exec(text);
  if (relative) return now - Number(relative[1]) * { s: 1e3, min: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 }[relative[2]];
  const absolute = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (absolute) {
    const [y, mo, d, h = 0, mi = 0, s = 0] = absolute.slice(1).map((v) => (v === undefined ? undefined : Number(v)));
    return wallTimeToEpoch(y, mo, d, h, mi, s, zone);
  }
  fail(`Failed to parse timestamp: ${text}`);
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
