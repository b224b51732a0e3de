#!/usr/bin/env node
// Stand-in for glibc getent passwd|group [KEY...] on the simulated board's files: a key is a name or
// a number; without keys, every entry. Exit 2 when a key is not found, as the real one.
import { findGroup, findUser, groupLine, loadGroups, loadUsers, passwdLine } from "../lib/jetson-sim/accounts.mjs";
import { fail, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "getent");
const DATABASES = {
  passwd: { load: loadUsers, find: findUser, line: passwdLine },
  group: { load: loadGroups, find: findGroup, line: groupLine },
};

const [database, ...keys] = args;
if (database === undefined) usage("getent: wrong number of arguments");
const db = DATABASES[database] ?? usage(`Unknown database: ${database}`);
const entries = db.load(root);
let code = 0;
for (const entry of keys.length === 0 ? entries : keys.map((key) => db.find(entries, key))) {
  if (entry === undefined) code = 2;
  else process.stdout.write(`${db.line(entry)}\n`);
}
process.exitCode = code;

// getent prints its complaint on standard error and argp's pointer to --help on standard output.
function usage(message) {
  process.stdout.write("Try `getent --help' or `getent --usage' for more information.\n");
  fail(message);
}
