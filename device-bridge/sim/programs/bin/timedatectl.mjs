#!/usr/bin/env node
// Stand-in for timedatectl `show` (systemd 239+, JetPack 5 and 6) and `status`, in each
// generation's layout. JetPack 4 has systemd 237, which knows no `show`.
import { boardTimezone, formatWallTime, utcOffset } from "../lib/jetson-sim/locale.mjs";
import { loadSpec, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "timedatectl");
const { board } = loadSpec(root);
const zone = boardTimezone(board);
const now = Date.now();
const rtc = now - 1_000;
// The Xavier NX has no network time source reachable in this simulation: NTP is on, never synchronised.
const synchronized = board.id !== "xavier-nx-jp51";
const yes = (value) => (value ? "yes" : "no");
const verb = args[0] ?? "status";

if (args.length > 1 || !["show", "status"].includes(verb)) fail(`Unknown operation ${args.join(" ")}.`);
if (verb === "show") {
  if (board.generation < 5) fail("Unknown operation show.");
  const lines = [`Timezone=${zone}`, "LocalRTC=no", "CanNTP=yes", "NTP=yes", `NTPSynchronized=${yes(synchronized)}`, `TimeUSec=${formatWallTime(now, zone)}`, `RTCTimeUSec=${formatWallTime(rtc, zone)}`];
  process.stdout.write(`${lines.join("\n")}\n`);
} else {
  const abbreviation = formatWallTime(now, zone).split(" ").at(-1);
  const rows = [
    ["Local time", formatWallTime(now, zone)],
    ["Universal time", formatWallTime(now, "Etc/UTC")],
    ["RTC time", formatWallTime(rtc, "Etc/UTC").replace(/ UTC$/, "")],
    ["Time zone", `${zone} (${abbreviation}, ${utcOffset(now, zone)})`],
    ["System clock synchronized", yes(synchronized)],
    board.generation < 5 ? ["systemd-timesyncd.service active", "yes"] : ["NTP service", "active"],
    ["RTC in local TZ", "no"],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) process.stdout.write(`${label.padStart(width)}: ${value}\n`);
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
