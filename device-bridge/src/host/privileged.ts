import { isAbsolute } from "node:path";
import { ConfigError } from "../config-error.js";
import { HELPER_SCRIPT_VARIABLE } from "../update/launcher-contract.js";
import { HELPER_SUBCOMMAND } from "./helper-subcommand.js";
import type { ActionName } from "@jetson/protocol";
import type { z } from "zod";
import { type AptGetRequest, AptGetRequestSchema, aptGetArgs, readAptGetArgs } from "../machine/apt-get-commands.js";
import { CLOCKS_LOCK, CLOCKS_RESTORE, CLOCKS_SHOW, CLOCKS_STORE, SAVED_CLOCKS_DIR } from "../machine/jetson-clocks-commands.js";
import { type KillRequest, KillRequestSchema, killArgs, readKillArgs } from "../machine/kill-commands.js";
import {
  type FanProfileRequest,
  FanProfileRequestSchema,
  NVFANCONTROL_CONF,
  NVFANCONTROL_STATUS_FOLDER,
  NVFANCONTROL_UNIT,
  NVFANCONTROL_UNIT_VERBS,
  readSetProfileArgs,
  REMOVE_NVFANCONTROL_STATUS,
  setProfileArgs,
} from "../machine/nvfancontrol-commands.js";
import { NVPMODEL_QUERY, NVPMODEL_TABLE, nvpmodelSetArgs } from "../machine/nvpmodel-commands.js";
import { readPowerModeTable } from "../machine/power-modes.js";
import { POWEROFF_COMMAND, REBOOT_COMMAND, UNIT_VERBS, unitCommand } from "../machine/systemctl-commands.js";
import type { HostPort } from "./port.js";

/** What the sudoers rules of a program may depend on: the bridge's configuration and the board. */
export interface SudoPolicy {
  services: { allow: readonly string[] };
  /** The ids of the board's power modes (its /etc/nvpmodel.conf). */
  powerModes: readonly number[];
  /** Whether the board has nvfancontrol (its /etc/nvfancontrol.conf), whose profile fan.set changes. */
  nvfancontrol: boolean;
}

/** A folder a program writes as root, which the systemd unit's sandbox must leave writable. */
export interface WrittenPath {
  path: string;
  why: string;
}

/** A program whose every command line is known when the sudoers file is written: the file names each one. */
interface ExactRule {
  via: "sudoers";
  why: string;
  actions: readonly ActionName[];
  commands: (policy: SudoPolicy) => (readonly string[])[];
  writes: readonly WrittenPath[];
  /** Folders only root may write that hold what the program reads as root: made root:root 0755 by provisioning. */
  rootOnly?: readonly string[];
}

/**
 * A program whose arguments are an open set (package names, PIDs): sudo runs only the bridge's
 * root-owned helper (`jetson-bridge privileged PROGRAM`), which reads the argument list from standard
 * input, reads it back into a request, checks that with the catalogue's schemas, and runs the
 * program with the argument list it builds itself from the request.
 */
interface HelperRule {
  via: "helper";
  why: string;
  actions: readonly ActionName[];
  /** The argument list rebuilt from a valid request, or why there is none. */
  check: (args: readonly string[]) => { args: string[] } | { problem: string };
  /** The environment the program runs with (sudo has cleared the bridge's). */
  env: Readonly<Record<string, string>>;
  writes: readonly WrittenPath[];
}

type PrivilegedProgramRule = ExactRule | HelperRule;

/** Reads an argument list back into a request, validates it, and rebuilds the list: only a list a request builds passes. */
function requests<R>(schema: z.ZodType<R>, build: (request: R) => string[], read: (args: readonly string[]) => unknown): HelperRule["check"] {
  return (args) => {
    const parsed = schema.safeParse(read(args));
    if (!parsed.success) return { problem: parsed.error.issues.map((issue) => `${issue.path.join(".") || "arguments"}: ${issue.message}`).join("; ") };
    const rebuilt = build(parsed.data);
    return rebuilt.length === args.length && rebuilt.every((arg, i) => arg === args[i]) ? { args: rebuilt } : { problem: "not an argument list the bridge builds" };
  };
}

// ProtectSystem=strict leaves the file system read-only for sudo's children too (they share the unit's mounts).
const DPKG_WRITES: readonly WrittenPath[] = [
  { path: "/var/lib/dpkg", why: "dpkg's database and lock" },
  { path: "/var/lib/apt", why: "the package lists (apt-get update)" },
  { path: "/var/cache/apt", why: "downloaded packages" },
  { path: "/var/cache/debconf", why: "debconf's answers" },
  { path: "/var/log", why: "apt's and dpkg's logs" },
  { path: "/usr", why: "what packages install" },
  { path: "/etc", why: "packages' configuration files" },
  { path: "/opt", why: "what some packages (NVIDIA's among them) install" },
  { path: "-/boot", why: "kernel and bootloader packages (nvidia-l4t-kernel); optional" },
];

/**
 * The programs the bridge runs as root, how, and why: the one source of the sudoers file, the
 * helper's accepted requests, the systemd unit's writable paths and the documentation.
 */
export const PRIVILEGED_PROGRAMS = {
  nvpmodel: {
    via: "sudoers",
    why: "read and set the power mode: -q, -p --verbose, and -m ID for each mode of the board's table",
    actions: ["power.get", "power.modes", "power.set", "power.reboot"],
    commands: ({ powerModes }) => [NVPMODEL_QUERY, NVPMODEL_TABLE, ...powerModes.map(nvpmodelSetArgs)],
    writes: [{ path: "/var/lib/nvpmodel", why: "nvpmodel -m records the mode in its status file" }],
  },
  jetson_clocks: {
    via: "sudoers",
    why: `show, lock and restore the clocks; the saved settings stay in ${SAVED_CLOCKS_DIR}, which only root may write`,
    actions: ["clocks.status", "clocks.lock", "clocks.restore"],
    commands: () => [CLOCKS_SHOW, CLOCKS_LOCK, CLOCKS_STORE, CLOCKS_RESTORE],
    writes: [{ path: SAVED_CLOCKS_DIR, why: "jetson_clocks --store saves the clock settings there" }],
    rootOnly: [SAVED_CLOCKS_DIR],
  },
  systemctl: {
    via: "sudoers",
    why: "reboot and power off the device; start, stop, restart, enable and disable the units in services.allow; stop and start nvfancontrol to change its profile",
    actions: ["power.reboot", "power.shutdown", "services.start", "services.stop", "services.restart", "services.enable", "services.disable", "fan.set"],
    commands: ({ services, nvfancontrol }) => [
      REBOOT_COMMAND,
      POWEROFF_COMMAND,
      ...services.allow.flatMap((unit) => UNIT_VERBS.map((verb) => unitCommand(verb, unit))),
      ...(nvfancontrol ? NVFANCONTROL_UNIT_VERBS.map((verb) => unitCommand(verb, NVFANCONTROL_UNIT)) : []),
    ],
    writes: [],
  },
  sed: {
    via: "helper",
    why: `set FAN_DEFAULT_PROFILE in ${NVFANCONTROL_CONF} to a profile name (fan.set); no other script, no other file`,
    actions: ["fan.set"],
    check: requests<FanProfileRequest>(FanProfileRequestSchema, setProfileArgs, readSetProfileArgs),
    env: {},
    writes: [{ path: "/etc", why: `sed -i replaces ${NVFANCONTROL_CONF} with a new file beside it` }],
  },
  rm: {
    via: "sudoers",
    why: "remove nvfancontrol's status file, which would otherwise bring back the old profile (fan.set); no other file",
    actions: ["fan.set"],
    commands: ({ nvfancontrol }) => (nvfancontrol ? [REMOVE_NVFANCONTROL_STATUS] : []),
    writes: [{ path: NVFANCONTROL_STATUS_FOLDER, why: "nvfancontrol's status file is removed there" }],
  },
  "apt-get": {
    via: "helper",
    why: "refresh package lists; install, remove and upgrade packages from the configured repositories (never a local file, never apt's -o options)",
    actions: ["packages.refresh", "packages.install", "packages.remove", "packages.upgrade"],
    check: requests<AptGetRequest>(AptGetRequestSchema, aptGetArgs, readAptGetArgs),
    env: { DEBIAN_FRONTEND: "noninteractive" },
    writes: DPKG_WRITES,
  },
  kill: {
    via: "helper",
    why: "send SIGTERM or SIGKILL to one process of another user; never PID 1",
    actions: ["processes.kill"],
    check: requests<KillRequest>(KillRequestSchema, killArgs, readKillArgs),
    env: {},
    writes: [],
  },
} satisfies Record<string, PrivilegedProgramRule>;

export type PrivilegedProgram = keyof typeof PRIVILEGED_PROGRAMS;

const rules: Record<string, PrivilegedProgramRule | undefined> = PRIVILEGED_PROGRAMS;

export function privilegedRule(program: string): PrivilegedProgramRule | undefined {
  return rules[program];
}

/** The subcommand of the bridge that sudo runs as the helper. */

/** How sudo starts the helper: the bridge's own Node and script, as root owns them, and the subcommand. */
export interface HelperCommand {
  node: string;
  script: string;
}

/**
 * This bridge as the helper: the Node its service starts (systemd passes ExecStart's path as argv[0],
 * which provisioning also writes into the sudoers file) and its own script.
 */
export function thisBridgeHelper(): HelperCommand {
  return { node: isAbsolute(process.argv0) ? process.argv0 : process.execPath, script: process.env[HELPER_SCRIPT_VARIABLE] ?? process.argv[1] ?? "" };
}

export function helperArgv({ node, script }: HelperCommand, located: string): string[] {
  return [node, script, HELPER_SUBCOMMAND, located];
}

export interface SudoersEntry {
  program: string;
  /** The exact command lines (program path first) sudo may run for it. */
  commands: readonly (readonly string[])[];
}

/** The entries for a machine's privileged programs: each exact command line, or the helper for the program. */
export function sudoersEntries(located: ReadonlyArray<{ program: string; path: string }>, policy: SudoPolicy, helper: HelperCommand): SudoersEntry[] {
  return located.map(({ program, path }) => {
    const rule = rules[program];
    if (!rule) throw new Error(`Not a privileged program: ${program}`);
    const commands = rule.via === "helper" ? [helperArgv(helper, path)] : rule.commands(policy).map((args) => [path, ...args]);
    return { program, commands };
  });
}

// sudoers(5): ",", ":", "=" and "\" in a command's arguments must be escaped; wildcards and spaces are never written.
const ARGUMENT = /^[A-Za-z0-9@%+=:,._/\\-]+$/;
const PATH = /^\/[A-Za-z0-9/._-]+$/;
const escapeArgument = (arg: string) => arg.replace(/[,:=\\]/g, (c) => `\\${c}`);

/**
 * A sudoers file (for /etc/sudoers.d/) letting `user` run exactly these command lines. A command
 * with no arguments is written with "", which sudo reads as "no arguments" (the path alone would allow any).
 */
export function renderSudoers(user: string, entries: readonly SudoersEntry[]): string {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(user)) throw new Error(`Not a user name: ${user}`);
  const blocks = entries.map(({ program, commands }) => {
    const lines = [`# ${program}: ${rules[program]?.why ?? "privileged"}`];
    for (const [path = "", ...args] of commands) {
      if (!PATH.test(path)) throw new Error(`Not an absolute program path: ${path}`);
      for (const arg of args) if (!ARGUMENT.test(arg)) throw new Error(`Not a plain command argument: ${JSON.stringify(arg)}`);
      lines.push(`${user} ALL=(root) NOPASSWD: ${[path, ...(args.length ? args.map(escapeArgument) : ['""'])].join(" ")}`);
    }
    return lines.join("\n");
  });
  return `# Generated by jetson-bridge sudoers. Exact command lines only, by absolute path; no shells, no wildcards.\nDefaults:${user} !requiretty\n${blocks.join("\n")}\n`;
}

/** Why root must not run a file, or undefined; where the files are on this machine, notRootOwned (privileged-helper.ts). */
export type RootOnlyCheck = (file: string) => Promise<string | undefined>;

/**
 * The sudoers file for a machine: each configured privileged program found where the machine has it,
 * its power modes read from the board. With `rootOnly`, every file the file has root run (each program,
 * and the helper's Node and script) must pass it, or nothing is written.
 */
export async function machineSudoers(
  host: HostPort & { locate(program: string): Promise<string> },
  user: string,
  config: Omit<SudoPolicy, "powerModes" | "nvfancontrol"> & { sudo: { programs: readonly string[] } },
  helper: HelperCommand,
  rootOnly?: RootOnlyCheck,
): Promise<string> {
  const located = await Promise.all(config.sudo.programs.map(async (program) => ({ program, path: await host.locate(program) })));
  if (rootOnly) {
    for (const { file, role, remedy } of runAsRoot(located, helper)) {
      const problem = await rootOnly(file);
      if (problem) throw new ConfigError(`sudo would run ${file} as root (${role}), but ${problem}. ${remedy}`);
    }
  }
  const powerModes = config.sudo.programs.includes("nvpmodel") ? (await readPowerModeTable(host)).modes.map((mode) => mode.id) : [];
  const nvfancontrol = (await host.readFile(NVFANCONTROL_CONF)) !== undefined;
  return renderSudoers(user, sudoersEntries(located, { ...config, powerModes, nvfancontrol }, helper));
}

/** The files a sudoers file for these programs has root run, what each is for, and what to do when the bridge's user could change one. */
function runAsRoot(located: ReadonlyArray<{ program: string; path: string }>, helper: HelperCommand): Array<{ file: string; role: string; remedy: string }> {
  const helped = located.filter(({ program }) => rules[program]?.via === "helper").map(({ program }) => program);
  const helperRemedy = "Install the bridge where only root may change it (/opt/jetson-bridge) and run it from there, with a Node only root may change.";
  return [
    ...located.map(({ program, path }) => ({ file: path, role: program, remedy: "List in programDirs only folders that root alone may change." })),
    ...(helped.length > 0 ? [helper.node, helper.script].map((file) => ({ file, role: `the helper for ${helped.join(", ")}`, remedy: helperRemedy })) : []),
  ];
}

/** The folders the configured privileged programs write, which the systemd unit must leave writable, with the actions that need each. */
export function privilegedWrites(programs: readonly string[]): Array<WrittenPath & { by: string }> {
  return programs.flatMap((program) => {
    const rule = rules[program];
    return (rule?.writes ?? []).map((written) => ({ ...written, by: `${program} (${rule?.actions.join(", ")})` }));
  });
}

/** The root-only folders the configured privileged programs need, which provisioning makes. */
export function rootOnlyFolders(programs: readonly string[]): string[] {
  return programs.flatMap((program) => {
    const rule = rules[program];
    return rule?.via === "sudoers" ? (rule.rootOnly ?? []) : [];
  });
}
