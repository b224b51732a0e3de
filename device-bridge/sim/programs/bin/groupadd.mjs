#!/usr/bin/env node
// Stand-in for shadow-utils groupadd [-r|--system] GROUP: appends the group to the simulated
// /etc/group, a system group taking the highest free gid below 1000, as on Debian and Ubuntu.
import { freeId, isValidName, loadGroups, lockOrFail, saveGroups } from "../lib/jetson-sim/accounts.mjs";
import { getopt } from "../lib/jetson-sim/getopt.mjs";
import { fail, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "groupadd");
const USAGE = "Usage: groupadd [options] GROUP\n\nOptions:\n  -r, --system                  create a system account";
const parsed = getopt(args, "r", { system: "r" });
if (parsed.error) fail(`groupadd: ${parsed.error}\n${USAGE}`, 2);
const [name, ...extra] = parsed.operands;
if (name === undefined || extra.length > 0) fail(USAGE, 2);
if (!isValidName(name)) fail(`groupadd: '${name}' is not a valid group name`, 3);

const groups = loadGroups(root);
if (groups.some((group) => group.name === name)) fail(`groupadd: group '${name}' already exists`, 9);
lockOrFail(root, "groupadd", "/etc/group", 10);
const gid = freeId(groups.map((group) => group.gid), parsed.options.has("r")) ?? fail("groupadd: Can't get unique GID (no more available GIDs)", 4);
saveGroups(root, [...groups, { name, gid, members: [] }]);
