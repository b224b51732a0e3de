#!/usr/bin/env node
// Stand-in for shadow-utils useradd [-r] [-U] [-M] [-d HOME] [-s SHELL] [-G GROUP,...] LOGIN on the
// simulated /etc/passwd and /etc/group. As Ubuntu's login.defs (USERGROUPS_ENAB yes) has it, the user
// gets a group of its own name; system accounts take the highest free ids below 1000, others the next
// from 1000. No home folder is made: Ubuntu's useradd makes one only with -m.
import { freeId, isValidName, loadGroups, loadUsers, lockOrFail, saveGroups, saveUsers } from "../lib/jetson-sim/accounts.mjs";
import { getopt } from "../lib/jetson-sim/getopt.mjs";
import { fail, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "useradd");
const USAGE = `Usage: useradd [options] LOGIN
       useradd -D
       useradd -D [options]

Options:
  -d, --home-dir HOME_DIR       home directory of the new account
  -G, --groups GROUPS           list of supplementary groups of the new
                                account
  -M, --no-create-home          do not create the user's home directory
  -r, --system                  create a system account
  -s, --shell SHELL             login shell of the new account
  -U, --user-group              create a group with the same name as
                                the user`;
const parsed = getopt(args, "d:G:Mrs:U", { "home-dir": "d", groups: "G", "no-create-home": "M", system: "r", shell: "s", "user-group": "U" });
if (parsed.error) fail(`useradd: ${parsed.error}\n${USAGE}`, 2);
const { options, operands } = parsed;
const [name, ...extra] = operands;
if (name === undefined || extra.length > 0) fail(USAGE, 2);
const home = options.get("d") ?? `/home/${name}`;
const shell = options.get("s") ?? "/bin/sh";
if (!home.startsWith("/")) fail(`useradd: invalid home directory '${home}'`, 3);
if (!shell.startsWith("/")) fail(`useradd: invalid shell '${shell}'`, 3);

const users = loadUsers(root);
const groups = loadGroups(root);
const extraGroups = options.has("G") ? options.get("G").split(",") : [];
for (const group of extraGroups) {
  if (!groups.some((g) => g.name === group)) fail(`useradd: group '${group}' does not exist`, 6);
}
if (!isValidName(name)) fail(`useradd: invalid user name '${name}'`, 3);
if (users.some((user) => user.name === name)) fail(`useradd: user '${name}' already exists`, 9);
if (groups.some((group) => group.name === name)) fail(`useradd: group ${name} exists - if you want to add this user to that group, use -g.`, 9);
lockOrFail(root, "useradd", "/etc/passwd", 1);

const system = options.has("r");
const uid = freeId(users.map((user) => user.uid), system) ?? fail("useradd: Can't get unique UID (no more available UIDs)", 4);
// The user's own group takes the same number when it is free.
const gid = freeId(groups.map((group) => group.gid), system, uid) ?? fail("useradd: can't create group", 4);
const joined = groups.map((group) => (extraGroups.includes(group.name) ? { ...group, members: [...group.members, name] } : group));
saveGroups(root, [...joined, { name, gid, members: [] }]);
saveUsers(root, [...users, { name, uid, gid, gecos: "", home, shell }]);
