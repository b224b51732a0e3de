// The administrative state of a simulated board (units, dpkg database, killed processes, journal
// additions) in /var/lib/jetson-sim/admin.json, written by the stand-ins that change it.
import { loadSpec, readText, writeText } from "./runtime.mjs";
import { bootJournal } from "./journal.mjs";
import { initialDatabase } from "./packages.mjs";
import { bootState, unitStarted, unitTable } from "./units.mjs";

const FILE = "/var/lib/jetson-sim/admin.json";
/** The journal keeps this many entries added since boot. */
const JOURNAL_LIMIT = 500;

export function loadAdmin(root) {
  return JSON.parse(readText(root, FILE));
}

export function saveAdmin(root, admin) {
  writeText(root, FILE, `${JSON.stringify(admin, null, 2)}\n`);
}

/** First boot: units in their boot state, the image's packages, nothing killed. */
export function bootAdmin(root, bootedAt) {
  const { board } = loadSpec(root);
  const units = unitStates(board, bootedAt, {});
  startEffects(root, units);
  saveAdmin(root, {
    units,
    unitFiles: Object.fromEntries(unitTable(board).map((unit) => [unit.name, unit.file])),
    dpkg: initialDatabase(board),
    listsUpdatedAt: null,
    killed: [],
    journal: bootJournal(board, bootedAt, units),
    poweredOffAt: null,
  });
}

/** A reboot: units start again as enabled, killed processes are back, the journal of this boot is new. */
export function rebootAdmin(root, bootedAt) {
  const { board } = loadSpec(root);
  const admin = loadAdmin(root);
  const units = unitStates(board, bootedAt, admin.unitFiles);
  startEffects(root, units);
  saveAdmin(root, { ...admin, units, killed: [], journal: bootJournal(board, bootedAt, units), poweredOffAt: null });
}

function startEffects(root, units) {
  for (const [name, state] of Object.entries(units)) unitStarted(root, name, state);
}

function unitStates(board, bootedAt, unitFiles) {
  return Object.fromEntries(unitTable(board).map((unit) => [unit.name, bootState({ ...unit, file: unitFiles[unit.name] ?? unit.file }, bootedAt)]));
}

/** Adds journal entries ({ unit, systemdUnit, identifier, pid, priority, message }), stamped now, each after the last. */
export function logToJournal(admin, entries) {
  const at = Math.max(Date.now(), (admin.journal.at(-1)?.at ?? 0) + 1);
  admin.journal = [...admin.journal, ...entries.map((entry, i) => ({ ...entry, at: at + i }))].slice(-JOURNAL_LIMIT);
}
