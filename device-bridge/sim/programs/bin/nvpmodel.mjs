#!/usr/bin/env node
// Stand-in for nvpmodel: -q [--verbose], -p --verbose, -m N. A mode that needs a reboot asks
// for YES on standard input, as the real tool does, then records the mode and reboots the board. A mode
// needs a reboot when its TPC_PG_MASK differs from the active mode's.
import { applyPowerMode, currentMode, reboot } from "../lib/jetson-sim/machine.mjs";
import { parseConf, shownValue } from "../lib/jetson-sim/nvpmodel-conf.mjs";
import { firstLine, loadSpec, loadState, readText, saveState, startProgram } from "../lib/jetson-sim/runtime.mjs";

const CONF = "/etc/nvpmodel.conf";
const USAGE = `Nvidia Power Model Tool
Usage:
    nvpmodel [-h | --help] [--verbose] [-q | --query] [-p | --parse] [-m | --mode <mode>]
`;

const { root, args } = startProgram(import.meta.url, "nvpmodel");
const { board } = loadSpec(root);
const conf = parseConf(readText(root, CONF));
const verbose = args.includes("--verbose");
const [option, value, ...extra] = args.filter((arg) => arg !== "--verbose");
const say = (line) => process.stdout.write(`${line}\n`);

if ((option === "-h" || option === "--help") && value === undefined) {
  process.stdout.write(USAGE);
} else if ((option === "-q" || option === "--query") && value === undefined) {
  query();
} else if ((option === "-p" || option === "--parse") && value === undefined) {
  if (verbose) printConf();
} else if ((option === "-m" || option === "--mode") && value !== undefined && extra.length === 0) {
  process.exitCode = await setMode(value);
} else {
  process.stderr.write(USAGE);
  process.exitCode = 1;
}

function query() {
  const id = currentMode(root);
  const mode = conf.models.find((m) => m.id === id);
  if (verbose) {
    say(`NVPM VERB: Config file: ${CONF}`);
    say(`NVPM VERB: parsing done for ${CONF}`);
  }
  for (const warning of board.nvpmodelWarnings) say(warning);
  say(`${verbose ? "NVPM VERB: Current mode: " : ""}NV Power Mode: ${mode.name}`);
  say(String(id));
  if (!verbose) return;
  for (const { param, arg, value } of mode.settings) {
    const path = conf.params.get(param).args.get(arg);
    const real = readText(root, path).trim();
    say(`NVPM VERB: PARAM ${param}: ARG ${arg}: PATH ${path}: REAL_VAL: ${real} CONF_VAL: ${shownValue(value)}`);
  }
}

function printConf() {
  say(`NVPM VERB: Config file: ${CONF}`);
  say(`NVPM VERB: parsing done for ${CONF}`);
  say(`succeed to parse file ${CONF}.`);
  const fallback = conf.models.find((m) => m.id === conf.defaultId);
  say(`NVPM VERB: PM_CONFIG: DEFAULT=${fallback.name}(${conf.defaultId})`);
  for (const [name, param] of conf.params) {
    say(`NVPM VERB: PARAM TYPE=${param.type} NAME=${name}`);
    for (const [arg, path] of param.args) say(`NVPM VERB: ${arg} ${path}`);
  }
  say("NVPM VERB:");
  for (const mode of conf.models) {
    say(`NVPM VERB: POWER_MODEL: ID=${mode.id} NAME=${mode.name}`);
    for (const s of mode.settings) say(`NVPM VERB: ${s.param} ${s.arg} ${shownValue(s.value)}`);
    say("NVPM VERB:");
  }
}

/** Returns the exit code. Messages follow nvpmodel-m/agx-orin-1.txt and reports of declined prompts. */
async function setMode(text) {
  const id = /^\d+$/.test(text) ? Number(text) : undefined;
  if (!conf.models.some((m) => m.id === id)) {
    say(`NVPM ERROR: request for bad power mode ${text}`);
    return 1;
  }
  const current = currentMode(root);
  // The GPU's TPC power gating changes only at boot: a mode with another TPC_PG_MASK needs a reboot.
  const target = tpcPgMask(id);
  if (id === current || target === undefined || target === tpcPgMask(current)) {
    applyPowerMode(root, id);
    return 0;
  }
  say("NVPM WARN: Golden image context is already created");
  say(`NVPM WARN: Reboot required for changing to this power mode: ${id}`);
  say("NVPM WARN: DO YOU WANT TO REBOOT NOW? enter YES/yes to confirm:");
  const answer = await firstLine(process.stdin);
  if (answer === "YES" || answer === "yes") {
    saveState(root, { ...loadState(root), pendingMode: id });
    say("NVPM WARN: rebooting");
    reboot(root);
    return 0;
  }
  say(answer === undefined ? "NVPM ERROR: bad input!" : "NVPM ERROR: optMask is 1, no request for power mode");
  return 1;
}

/** A mode's TPC_PG_MASK in nvpmodel.conf, if it sets one. */
function tpcPgMask(id) {
  const mode = conf.models.find((m) => m.id === id);
  return mode?.settings.find((s) => s.param === "TPC_POWER_GATING" && s.arg === "TPC_PG_MASK")?.value;
}

