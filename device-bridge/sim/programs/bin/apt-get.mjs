#!/usr/bin/env node
// Stand-in for apt-get update/install/remove (install --only-upgrade too) on the simulated dpkg
// database, printing apt's output and, with -o APT::Status-Fd=1, its dlstatus/pmstatus lines. Like
// the real one it asks before changing anything unless -y, and a package with a debconf question
// waits for an answer on standard input unless DEBIAN_FRONTEND=noninteractive.
import { loadAdmin, saveAdmin } from "../lib/jetson-sim/admin.mjs";
import { archive, candidate, codename, isInstalled, nvidiaSuite, packagesNamed, socFolder, upgradable } from "../lib/jetson-sim/packages.mjs";
import { firstLine, loadSpec, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "apt-get");
const { board } = loadSpec(root);
const packages = archive(board);
const admin = loadAdmin(root);

let assumeYes = false;
let noRemove = false;
let onlyUpgrade = false;
let statusFd;
const positional = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === "--") {
    positional.push(...args.slice(i + 1));
    break;
  }
  if (arg === "-y" || arg === "--yes" || arg === "--assume-yes") assumeYes = true;
  else if (arg === "-q" || arg === "-qq" || arg === "--quiet") continue;
  else if (arg === "--no-remove") noRemove = true;
  else if (arg === "--only-upgrade") onlyUpgrade = true;
  else if (arg === "-o") {
    const [key, value] = (args[++i] ?? "").split("=");
    if (key === "APT::Status-Fd") statusFd = Number(value);
  } else if (arg.startsWith("-")) fail(`Command line option '${arg.replace(/^-+/, "")}' [from ${arg}] is not known.`);
  else positional.push(arg);
}
const [command, ...specs] = positional;

const say = (line) => process.stdout.write(`${line}\n`);
const pause = () => new Promise((resolve) => setTimeout(resolve, 40));
async function status(line) {
  if (statusFd === 1) say(line);
  else if (statusFd === 2) process.stderr.write(`${line}\n`);
  await pause();
}
const percent = (done, total) => Number(((done / total) * 100).toPrecision(6));

function fail(message) {
  process.stderr.write(`E: ${message}\n`);
  process.exit(100);
}

const COMMANDS = { update, install, remove };
if (!COMMANDS[command]) fail(command === undefined ? "Invalid operation" : `Invalid operation ${command}`);
await COMMANDS[command]();

async function update() {
  const name = codename(board);
  const ubuntu = "http://ports.ubuntu.com/ubuntu-ports";
  const nvidia = "https://repo.download.nvidia.com/jetson";
  const sources = [
    ["Hit", `${ubuntu} ${name} InRelease`],
    ["Get", `${ubuntu} ${name}-updates InRelease [128 kB]`],
    ["Hit", `${ubuntu} ${name}-backports InRelease`],
    ["Get", `${ubuntu} ${name}-security InRelease [129 kB]`],
    ["Hit", `${nvidia}/common ${nvidiaSuite(board)} InRelease`],
    ["Hit", `${nvidia}/${socFolder(board)} ${nvidiaSuite(board)} InRelease`],
  ];
  for (const [i, [kind, source]] of sources.entries()) {
    await status(`dlstatus:${i}:${percent(i, sources.length)}:Retrieving file ${i + 1} of ${sources.length}`);
    say(`${kind}:${i + 1} ${source}`);
  }
  await status(`dlstatus:${sources.length}:100:Retrieving file ${sources.length} of ${sources.length}`);
  say("Fetched 257 kB in 2s (128 kB/s)");
  say("Reading package lists...");
  saveAdmin(root, { ...admin, listsUpdatedAt: Date.now() });
}

/** name[=version] -> the packages apt takes it for (a regular expression's matches too, with its note), or apt's error. */
function resolve(spec) {
  const [name, version] = spec.split("=");
  const named = packagesNamed(packages, name);
  if (named.length === 0) fail(`Unable to locate package ${name}`);
  for (const match of named) {
    if (match !== name) say(`Note, selecting '${match}' for regex '${name}'`);
    if (version !== undefined && version !== candidate(packages[match], admin)) fail(`Version '${version}' for '${match}' was not found`);
  }
  return named;
}

function readingLists() {
  say("Reading package lists...");
  say("Building dependency tree...");
  say("Reading state information...");
}

async function install() {
  readingLists();
  const named = specs.flatMap(resolve);
  const fresh = [];
  const upgrades = [];
  const want = (name, explicit) => {
    const pkg = packages[name];
    if (!isInstalled(admin, name)) {
      if (onlyUpgrade) return say(`Skipping ${name}, it is not installed and only upgrades are requested.`);
      if (!fresh.includes(name)) fresh.push(name);
    } else if (candidate(pkg, admin) !== admin.dpkg[name].version) {
      if (!upgrades.includes(name)) upgrades.push(name);
    } else {
      if (explicit) say(`${name} is already the newest version (${admin.dpkg[name].version}).`);
      return;
    }
    for (const dependency of pkg.depends) want(dependency, false);
  };
  for (const name of named) want(name, true);
  const additional = fresh.filter((name) => !named.includes(name));
  if (additional.length) list("The following additional packages will be installed:", additional);
  if (fresh.length) list("The following NEW packages will be installed:", fresh);
  if (upgrades.length) list("The following packages will be upgraded:", upgrades);
  summary(upgrades.length, fresh.length, 0);
  const changing = [...fresh, ...upgrades].sort();
  if (changing.length === 0) return;
  await confirm();
  const sizeKiB = changing.reduce((sum, name) => sum + packages[name].sizeKiB, 0);
  say(`Need to get ${Math.round(sizeKiB / 3)} kB of archives.`);
  say(`After this operation, ${sizeKiB} kB of additional disk space will be used.`);
  for (const [i, name] of changing.entries()) {
    await status(`dlstatus:${i}:${percent(i, changing.length)}:Retrieving file ${i + 1} of ${changing.length}`);
    const pkg = packages[name];
    say(`Get:${i + 1} ${pkg.origin === "nvidia" ? `https://repo.download.nvidia.com/jetson/common ${nvidiaSuite(board)}/main` : `http://ports.ubuntu.com/ubuntu-ports ${codename(board)}/main`} arm64 ${name} arm64 ${candidate(pkg, admin)} [${Math.round(pkg.sizeKiB / 3)} kB]`);
  }
  await status(`dlstatus:${changing.length}:100:Retrieving file ${changing.length} of ${changing.length}`);
  say(`Fetched ${Math.round(sizeKiB / 3)} kB in 1s (${Math.round(sizeKiB / 3)} kB/s)`);
  const stages = ["Preparing", "Unpacking", "Preparing to configure", "Configuring", "Installed"];
  const total = changing.length * stages.length;
  let done = 0;
  await status("pmstatus:dpkg-exec:0:Running dpkg");
  say("(Reading database ... 187432 files and directories currently installed.)");
  for (const name of changing) {
    const version = candidate(packages[name], admin);
    if (fresh.includes(name)) say(`Selecting previously unselected package ${name}.`);
    say(`Preparing to unpack .../${name}_${version.replace(/^\d+:/, "")}_arm64.deb ...`);
    for (const stage of stages.slice(0, 2)) await status(`pmstatus:${name}:${percent(done++, total)}:${stage} ${name} (arm64)`);
    say(`Unpacking ${name} (${version})${upgrades.includes(name) ? ` over (${admin.dpkg[name].version})` : ""} ...`);
  }
  for (const name of changing) {
    const version = candidate(packages[name], admin);
    await status(`pmstatus:${name}:${percent(done++, total)}:Preparing to configure ${name} (arm64)`);
    await status(`pmstatus:${name}:${percent(done++, total)}:Configuring ${name} (arm64)`);
    say(`Setting up ${name} (${version}) ...`);
    if (packages[name].question && process.env.DEBIAN_FRONTEND !== "noninteractive" && !(await answered(name))) {
      admin.dpkg[name] = { version, status: "iF " };
      saveAdmin(root, admin);
      process.stderr.write(`dpkg: error processing package ${name} (--configure):\n installed ${name} package post-installation script subprocess returned error exit status 10\n`);
      fail("Sub-process /usr/bin/dpkg returned an error code (1)");
    }
    admin.dpkg[name] = { version, status: "ii " };
    await status(`pmstatus:${name}:${percent(done++, total)}:Installed ${name} (arm64)`);
  }
  say("Processing triggers for man-db (2.10.2-1) ...");
  saveAdmin(root, admin);
}

async function remove() {
  readingLists();
  const named = specs.flatMap(resolve);
  const removing = [];
  const drop = (name) => {
    if (removing.includes(name) || !isInstalled(admin, name)) return;
    removing.push(name);
    // What depends on a removed package goes too.
    for (const [other, pkg] of Object.entries(packages)) if (pkg.depends.includes(name)) drop(other);
  };
  for (const name of named) {
    if (!isInstalled(admin, name)) say(`Package '${name}' is not installed, so not removed`);
    drop(name);
  }
  if (removing.length) list("The following packages will be REMOVED:", removing);
  summary(0, 0, removing.length);
  if (removing.length === 0) return;
  if (noRemove) fail("Packages need to be removed but remove is disabled.");
  await confirm();
  const sizeKiB = removing.reduce((sum, name) => sum + packages[name].sizeKiB, 0);
  say(`After this operation, ${sizeKiB} kB disk space will be freed.`);
  const stages = ["Preparing for removal of", "Removing", "Removed"];
  const total = removing.length * stages.length;
  let done = 0;
  await status("pmstatus:dpkg-exec:0:Running dpkg");
  say("(Reading database ... 187432 files and directories currently installed.)");
  for (const name of removing.sort()) {
    await status(`pmstatus:${name}:${percent(done++, total)}:${stages[0]} ${name} (arm64)`);
    say(`Removing ${name} (${admin.dpkg[name].version}) ...`);
    await status(`pmstatus:${name}:${percent(done++, total)}:${stages[1]} ${name} (arm64)`);
    admin.dpkg[name] = { ...admin.dpkg[name], status: "rc " };
    await status(`pmstatus:${name}:${percent(++done, total)}:${stages[2]} ${name} (arm64)`);
  }
  say("Processing triggers for man-db (2.10.2-1) ...");
  saveAdmin(root, admin);
}

function list(title, names) {
  say(title);
  say(`  ${[...names].sort().join(" ")}`);
}

function summary(upgraded, installed, removed) {
  const notUpgraded = upgradable(board, admin).length - upgraded;
  say(`${upgraded} upgraded, ${installed} newly installed, ${removed} to remove and ${notUpgraded} not upgraded.`);
}

/** apt's question; without -y it reads the answer, and end of input aborts as apt does. */
async function confirm() {
  if (assumeYes) return;
  process.stdout.write("Do you want to continue? [Y/n] ");
  const answer = await firstLine();
  if (answer === undefined || !/^y(es)?$/i.test(answer)) {
    say("Abort.");
    process.exit(1);
  }
}

/** A debconf question on the terminal: true once answered, false at end of input. */
async function answered(name) {
  say(`Configuring ${name}`);
  say("-".repeat(`Configuring ${name}`.length));
  process.stdout.write(`\n${packages[name].question} `);
  return (await firstLine()) !== undefined;
}

