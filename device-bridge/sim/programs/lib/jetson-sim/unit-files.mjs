// Unit files an operator installs in /etc/systemd/system for units the board's own table (units.mjs)
// does not have: what systemd reads from them, and their enablement, which is the links that
// `systemctl enable` makes in the .wants folders of the targets named by WantedBy=.
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import { onHost, readText } from "./runtime.mjs";

const DIR = "/etc/systemd/system";

export function unitFilePath(name) {
  return `${DIR}/${name}`;
}

/**
 * The unit file of `name` as { description, execStart: argv, environment: { VAR: value }, wantedBy },
 * or undefined when there is none.
 */
export function readUnitFile(root, name) {
  let text;
  try {
    text = readText(root, unitFilePath(name));
  } catch (error) {
    if (error.code === "ENOENT") return undefined;
    throw error;
  }
  const unit = { description: name, execStart: [], environment: {}, wantedBy: [] };
  for (const line of text.replace(/\\\n/g, " ").split("\n")) {
    const setting = /^\s*([A-Za-z]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!setting) continue;
    const [, key, value] = setting;
    if (key === "Description") unit.description = value;
    else if (key === "ExecStart") unit.execStart = splitWords(value.replace(/^[-@:+!]+/, ""));
    // An empty assignment resets a list, as systemd reads it.
    else if (key === "Environment") unit.environment = value === "" ? {} : { ...unit.environment, ...assignments(value) };
    else if (key === "WantedBy") unit.wantedBy = value === "" ? [] : [...unit.wantedBy, ...splitWords(value)];
  }
  return unit;
}

function assignments(value) {
  return Object.fromEntries(splitWords(value).map((word) => word.split(/=(.*)/s).slice(0, 2)));
}

/** systemd's word splitting of command lines and lists: blanks separate, quotes group, a backslash escapes. */
function splitWords(text) {
  const words = [];
  let word;
  let quote;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "\\" && i + 1 < text.length) {
      const next = text[++i];
      word = (word ?? "") + ({ n: "\n", t: "\t" }[next] ?? next);
    } else if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      word ??= "";
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? "") + char;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The links `systemctl enable` makes: one in the .wants folder of each WantedBy= target. */
function wantsLinks(name, unit) {
  return unit.wantedBy.map((target) => `${DIR}/${target}.wants/${name}`);
}

const exists = (root, machinePath) => lstatSync(onHost(root, machinePath), { throwIfNoEntry: false }) !== undefined;

/** What `systemctl is-enabled` says: enabled, disabled, or static when the file has no [Install] targets. */
export function unitFileState(root, name, unit) {
  if (unit.wantedBy.length === 0) return "static";
  return wantsLinks(name, unit).some((link) => exists(root, link)) ? "enabled" : "disabled";
}

/** Makes the missing links (relative, so they stay inside the root); returns the ones made. */
export function enableUnitFile(root, name, unit) {
  const made = wantsLinks(name, unit).filter((link) => !exists(root, link));
  for (const link of made) {
    const onDisk = onHost(root, link);
    mkdirSync(path.dirname(onDisk), { recursive: true });
    symlinkSync(path.relative(path.dirname(onDisk), onHost(root, unitFilePath(name))), onDisk);
  }
  return made;
}

/** Removes the unit's links from every .wants folder; returns the ones removed. */
export function disableUnitFile(root, name) {
  const wantsDirs = entries(root).filter((entry) => entry.isDirectory() && entry.name.endsWith(".wants"));
  const removed = wantsDirs.map((dir) => `${DIR}/${dir.name}/${name}`).filter((link) => exists(root, link));
  for (const link of removed) rmSync(onHost(root, link));
  return removed;
}

/** The units installed as files (not the .wants folders), by name. */
export function installedUnitNames(root) {
  return entries(root)
    .filter((entry) => entry.isFile() && /\.(service|socket|timer|target|path|mount)$/.test(entry.name))
    .map((entry) => entry.name);
}

function entries(root) {
  const dir = onHost(root, DIR);
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : [];
}
