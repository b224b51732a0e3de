#!/usr/bin/env node
// Stand-in for coreutils id [-u|-g|-G] [-n] [USER]: without USER, the ids of the process that runs it
// (the real ones), named from the simulated /etc/passwd and /etc/group; with USER, that user of the
// simulated board. An id without a name prints as a number, as the real id does.
import { findUser, groupIdsOf, loadGroups, loadUsers } from "../lib/jetson-sim/accounts.mjs";
import { getopt } from "../lib/jetson-sim/getopt.mjs";
import { fail, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "id");
const usage = (message) => fail(`id: ${message}\nTry 'id --help' for more information.`);
const parsed = getopt(args, "ugGnr", { user: "u", group: "g", groups: "G", name: "n", real: "r" });
if (parsed.error) usage(parsed.error);
const { options, operands } = parsed;
if (operands.length > 1) usage(`extra operand ‘${operands[1]}’`);
const only = ["u", "g", "G"].filter((letter) => options.has(letter));
if (only.length > 1) fail('id: cannot print "only" of more than one choice');
if (only.length === 0 && (options.has("n") || options.has("r"))) fail("id: cannot print only names or real IDs in default format");

const users = loadUsers(root);
const groups = loadGroups(root);
let ids;
if (operands.length === 0) {
  const gid = process.getgid();
  ids = { uid: process.getuid(), gid, groups: [...new Set([gid, ...process.getgroups()])] };
} else {
  const user = findUser(users, operands[0]) ?? fail(`id: ‘${operands[0]}’: no such user`);
  ids = { uid: user.uid, gid: user.gid, groups: groupIdsOf(user, groups) };
}
const userName = (uid) => users.find((user) => user.uid === uid)?.name;
const groupName = (gid) => groups.find((group) => group.gid === gid)?.name;

let code = 0;
// With -n, an id that has no name prints as its number after an error, and id exits 1.
const named = (id, name, kind) => {
  if (name !== undefined) return name;
  process.stderr.write(`id: cannot find name for ${kind} ID ${id}\n`);
  code = 1;
  return String(id);
};
const both = (id, name) => (name === undefined ? `${id}` : `${id}(${name})`);

if (only[0] === "u") say(options.has("n") ? named(ids.uid, userName(ids.uid), "user") : ids.uid);
else if (only[0] === "g") say(options.has("n") ? named(ids.gid, groupName(ids.gid), "group") : ids.gid);
else if (only[0] === "G") say(ids.groups.map((gid) => (options.has("n") ? named(gid, groupName(gid), "group") : gid)).join(" "));
else say(`uid=${both(ids.uid, userName(ids.uid))} gid=${both(ids.gid, groupName(ids.gid))} groups=${ids.groups.map((gid) => both(gid, groupName(gid))).join(",")}`);
process.exitCode = code;

function say(text) {
  process.stdout.write(`${text}\n`);
}
