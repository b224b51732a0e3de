// The simulated board's /etc/passwd and /etc/group: looking users and groups up as the C library
// does, and adding them as shadow-utils does (login.defs of Debian and Ubuntu).
import { accessSync, constants } from "node:fs";
import { fail, onHost, readText, writeText } from "./runtime.mjs";

const PASSWD = "/etc/passwd";
const GROUP = "/etc/group";
/** login.defs: SYS_UID_MIN/MAX and UID_MIN/MAX, the same ranges for groups. */
const SYSTEM_IDS = { min: 100, max: 999 };
const USER_IDS = { min: 1000, max: 60000 };
/** shadow-utils' default NAME_REGEX. */
const NAME = /^[a-z_][a-z0-9_-]{0,31}\$?$/;

const lines = (text) => text.split("\n").filter((line) => line !== "");

export function loadUsers(root) {
  return lines(readText(root, PASSWD)).map((line) => {
    const [name, , uid, gid, gecos, home, shell] = line.split(":");
    return { name, uid: Number(uid), gid: Number(gid), gecos, home, shell };
  });
}

export function loadGroups(root) {
  return lines(readText(root, GROUP)).map((line) => {
    const [name, , gid, members] = line.split(":");
    return { name, gid: Number(gid), members: members ? members.split(",") : [] };
  });
}

export function passwdLine(user) {
  return `${user.name}:x:${user.uid}:${user.gid}:${user.gecos}:${user.home}:${user.shell}`;
}

export function groupLine(group) {
  return `${group.name}:x:${group.gid}:${group.members.join(",")}`;
}

export function saveUsers(root, users) {
  writeText(root, PASSWD, users.map((user) => `${passwdLine(user)}\n`).join(""));
}

export function saveGroups(root, groups) {
  writeText(root, GROUP, groups.map((group) => `${groupLine(group)}\n`).join(""));
}

/** A user by name, or by number as getpwnam/getpwuid callers (id, getent, install -o) accept it. */
export function findUser(users, key) {
  return users.find((user) => user.name === key) ?? (/^\d+$/.test(key) ? users.find((user) => user.uid === Number(key)) : undefined);
}

export function findGroup(groups, key) {
  return groups.find((group) => group.name === key) ?? (/^\d+$/.test(key) ? groups.find((group) => group.gid === Number(key)) : undefined);
}

/** A user's groups as getgrouplist() gives them: the primary gid first, then the groups naming it, in file order. */
export function groupIdsOf(user, groups) {
  return [user.gid, ...groups.filter((group) => group.members.includes(user.name) && group.gid !== user.gid).map((group) => group.gid)];
}

export function isValidName(name) {
  return NAME.test(name);
}

/**
 * A free id as useradd and groupadd pick it: a system id is the highest free one counting down from
 * 999; any other is one above the highest in use from 1000 up. `preferred` wins when it is free.
 */
export function freeId(used, system, preferred) {
  const range = system ? SYSTEM_IDS : USER_IDS;
  const inUse = new Set(used);
  if (preferred !== undefined && !inUse.has(preferred) && preferred >= range.min && preferred <= range.max) return preferred;
  if (system) {
    for (let id = range.max; id >= range.min; id--) if (!inUse.has(id)) return id;
    return undefined;
  }
  const highest = Math.max(range.min - 1, ...used.filter((id) => id >= range.min && id <= range.max));
  return highest < range.max ? highest + 1 : undefined;
}

/**
 * What shadow-utils does before it changes a file: take its lock in /etc. A login that cannot
 * write there gets the tool's own refusal and exit code.
 */
export function lockOrFail(root, program, file, code) {
  try {
    accessSync(onHost(root, "/etc"), constants.W_OK);
  } catch {
    fail(`${program}: Permission denied.\n${program}: cannot lock ${file}; try again later.`, code);
  }
}
