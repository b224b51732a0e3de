#!/usr/bin/env node
// Stand-in for systemctl: reboot and poweroff, list-units, show, is-active, is-enabled, daemon-reload,
// and start/stop/restart/enable/disable of the board's simulated units, which change the board's state
// (a started unit shows active afterwards), and of unit files installed in /etc/systemd/system, whose
// ExecStart really runs (unit-runner.mjs).
import { loadAdmin, logToJournal, saveAdmin } from "../lib/jetson-sim/admin.mjs";
import { failure, systemd } from "../lib/jetson-sim/journal.mjs";
import { boardTimezone, formatWallTime } from "../lib/jetson-sim/locale.mjs";
import { reboot } from "../lib/jetson-sim/machine.mjs";
import { loadSpec, startProgram } from "../lib/jetson-sim/runtime.mjs";
import { disableUnitFile, enableUnitFile, readUnitFile, unitFilePath, unitFileState } from "../lib/jetson-sim/unit-files.mjs";
import { runState, startUnit, stopUnit } from "../lib/jetson-sim/unit-runner.mjs";
import { unitNames, unitStatus } from "../lib/jetson-sim/unit-status.mjs";
import { fragmentPath, started, stopped, unitName, unitStarted, unitTable } from "../lib/jetson-sim/units.mjs";

const { root, args } = startProgram(import.meta.url, "systemctl");
const { board } = loadSpec(root);
const units = new Map(unitTable(board).map((unit) => [unit.name, unit]));
/** Where enabling a unit of the board's table links it (its enablement itself is kept in admin.json). */
const WANTS = "/etc/systemd/system/multi-user.target.wants";

const flags = new Set();
const properties = [];
const positional = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === "--") {
    positional.push(...args.slice(i + 1));
    break;
  } else if (arg === "-p" || arg === "--property") properties.push(...args[++i].split(","));
  else if (arg.startsWith("--property=")) properties.push(...arg.slice("--property=".length).split(","));
  else if (arg.startsWith("-")) flags.add(arg);
  else positional.push(arg);
}
const [verb, ...names] = positional;
const quiet = flags.has("-q") || flags.has("--quiet");

const VERBS = {
  reboot: powerVerb,
  poweroff: powerVerb,
  "list-units": listUnits,
  show,
  "is-active": isActive,
  "is-enabled": isEnabled,
  // Unit files are read when used, so there is nothing to reload.
  "daemon-reload": () => 0,
  start: change,
  stop: change,
  restart: change,
  enable: unitFile,
  disable: unitFile,
};
if (!VERBS[verb]) {
  process.stderr.write(`systemctl (simulated): unsupported command: ${args.join(" ")}\n`);
  process.exitCode = 1;
} else {
  process.exitCode = VERBS[verb]() ?? 0;
}

function powerVerb() {
  if (verb === "reboot") return reboot(root);
  const admin = loadAdmin(root);
  saveAdmin(root, { ...admin, poweredOffAt: Date.now() });
}

// systemd 237 (JetPack 4) still marks failed units with a circle in --plain mode; later ones drop the column.
function listUnits() {
  const admin = loadAdmin(root);
  const stateFilter = [...flags].find((f) => f.startsWith("--state="))?.slice("--state=".length).split(",");
  const rows = unitNames(root, board).map((name) => ({ name, load: "loaded", ...unitStatus(root, board, admin, name) }));
  if (flags.has("--all")) rows.push({ name: "plymouth-quit-wait.service", load: "not-found", active: "inactive", sub: "dead", description: "plymouth-quit-wait.service" });
  const shown = rows
    .filter((r) => flags.has("--all") || stateFilter || r.active === "active" || r.active === "failed")
    .filter((r) => !stateFilter || stateFilter.some((s) => s === r.active || s === r.sub || s === r.load))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const width = (key) => Math.max(key.length, ...shown.map((r) => r[key].length));
  const [wName, wLoad, wActive, wSub] = ["name", "load", "active", "sub"].map(width);
  const marked = board.generation < 5;
  for (const r of shown) {
    const marker = marked ? (r.active === "failed" || r.load === "not-found" ? "* " : "  ") : "";
    process.stdout.write(`${marker}${r.name.padEnd(wName)} ${r.load.padEnd(wLoad)} ${r.active.padEnd(wActive)} ${r.sub.padEnd(wSub)} ${r.description}\n`);
  }
  if (!flags.has("--no-legend")) process.stdout.write(`\n${shown.length} loaded units listed.\n`);
}

function show() {
  const admin = loadAdmin(root);
  const zone = boardTimezone(board);
  for (const [index, raw] of names.entries()) {
    const name = unitName(raw);
    const unit = unitStatus(root, board, admin, name);
    const values = unit
      ? {
          Id: name,
          Description: unit.description,
          LoadState: "loaded",
          ActiveState: unit.active,
          SubState: unit.sub,
          UnitFileState: unit.fileState,
          MainPID: unit.mainPid,
          ActiveEnterTimestamp: unit.since === null ? "" : formatWallTime(unit.since, zone),
          NRestarts: unit.restarts,
          Result: unit.result,
          MemoryCurrent: unit.memory,
          FragmentPath: unit.fragment,
        }
      : { Id: name, Description: name, LoadState: "not-found", ActiveState: "inactive", SubState: "dead", UnitFileState: "", MainPID: 0, ActiveEnterTimestamp: "", NRestarts: 0, Result: "success", MemoryCurrent: "[not set]", FragmentPath: "" };
    if (index > 0) process.stdout.write("\n");
    for (const key of properties.length ? properties : Object.keys(values)) {
      if (key in values) process.stdout.write(`${key}=${values[key]}\n`);
    }
  }
}

/** is-active: each unit's state; exit 0 when one of them is active, 3 (not running) otherwise. */
function isActive() {
  const admin = loadAdmin(root);
  const states = names.map((raw) => unitStatus(root, board, admin, unitName(raw))?.active ?? "inactive");
  if (!quiet) for (const state of states) process.stdout.write(`${state}\n`);
  return states.includes("active") ? 0 : 3;
}

/** is-enabled: each unit file's state; exit 0 when one of them is enabled or static. */
function isEnabled() {
  const admin = loadAdmin(root);
  let code = 1;
  for (const raw of names) {
    const name = unitName(raw);
    const unit = unitStatus(root, board, admin, name);
    if (!unit) {
      process.stderr.write(`Failed to get unit file state for ${name}: No such file or directory\n`);
      continue;
    }
    if (!quiet) process.stdout.write(`${unit.fileState}\n`);
    if (unit.fileState === "enabled" || unit.fileState === "static") code = 0;
  }
  return code;
}

function change() {
  const admin = loadAdmin(root);
  let code = 0;
  for (const raw of names) {
    const name = unitName(raw);
    const unit = units.get(name);
    const file = unit ? undefined : readUnitFile(root, name);
    if (file) {
      code = changeInstalled(admin, name, file) || code;
      continue;
    }
    if (!unit) {
      process.stderr.write(`Failed to ${verb} ${name}: Unit ${name} ${verb === "stop" ? "not loaded" : "not found"}.\n`);
      code = 5;
      continue;
    }
    const before = admin.units[name];
    if (verb !== "start" && before.active === "active") {
      logToJournal(admin, stopping(name, unit.description));
      admin.units[name] = stopped();
    }
    if (verb === "stop" || (verb === "start" && before.active === "active")) continue;
    const after = started(unit, Date.now());
    admin.units[name] = after;
    unitStarted(root, name, after);
    logToJournal(admin, [systemd(0, name, `Starting ${unit.description}...`)]);
    if (after.active === "failed") {
      logToJournal(admin, failure(0, unit));
      const journal = board.generation < 5 ? `"journalctl -xe"` : `"journalctl -xeu ${name}"`;
      process.stderr.write(`Job for ${name} failed because the control process exited with error code.\nSee "systemctl status ${name}" and ${journal} for details.\n`);
      code = 1;
    } else {
      logToJournal(admin, [systemd(0, name, `${unit.kind === "oneshot" ? "Finished" : "Started"} ${unit.description}.`)]);
    }
  }
  saveAdmin(root, admin);
  return code;
}

// An installed unit runs as Type=simple: started once its process is, stopped when that has ended.
function changeInstalled(admin, name, file) {
  const active = runState(root, name).active === "active";
  if (verb !== "start" && active) {
    stopUnit(root, name);
    logToJournal(admin, stopping(name, file.description));
  }
  if (verb === "stop" || (verb === "start" && active)) return 0;
  if (file.execStart.length === 0) {
    process.stderr.write(`Failed to ${verb} ${name}: Unit ${name} has a bad unit file setting.\n`);
    return 1;
  }
  startUnit(root, name, file);
  logToJournal(admin, [systemd(0, name, `Started ${file.description}.`)]);
  return 0;
}

function stopping(name, description) {
  return [systemd(0, name, `Stopping ${description}...`), systemd(0, name, `Stopped ${description}.`)];
}

function unitFile() {
  const admin = loadAdmin(root);
  for (const raw of names) {
    const name = unitName(raw);
    const unit = units.get(name);
    const file = unit ? undefined : readUnitFile(root, name);
    if (!unit && !file) {
      process.stderr.write(`Failed to ${verb} unit: Unit file ${name} does not exist.\n`);
      return 1;
    }
    const current = unit ? admin.unitFiles[name] : unitFileState(root, name, file);
    if (current === "static") {
      process.stderr.write(
        "The unit files have no installation config (WantedBy=, RequiredBy=, Also=,\nAlias= settings in the [Install] section, and DefaultInstance= for template\nunits). This means they are not meant to be enabled using systemctl.\n",
      );
    } else if (file) {
      const links = verb === "enable" ? enableUnitFile(root, name, file) : disableUnitFile(root, name);
      for (const link of links) process.stderr.write(verb === "enable" ? `Created symlink ${link} → ${unitFilePath(name)}.\n` : `Removed ${link}.\n`);
    } else if (verb === "enable" && current !== "enabled") {
      process.stderr.write(`Created symlink ${WANTS}/${name} → ${fragmentPath(unit)}.\n`);
      admin.unitFiles[name] = "enabled";
    } else if (verb === "disable" && current === "enabled") {
      process.stderr.write(`Removed ${WANTS}/${name}.\n`);
      admin.unitFiles[name] = "disabled";
    }
  }
  saveAdmin(root, admin);
}
