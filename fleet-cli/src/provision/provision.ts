import { readFile } from "node:fs/promises";
import { DeviceIdSchema, type EnrollmentCode } from "@jetson/protocol";
import {
  type BridgeConfig,
  BridgeConfigSchema,
  HostKeyMismatchError,
  machineSudoers,
  redeemEnrollmentCode,
  rootOnlyFolders,
  SshConnection,
  SshHost,
  type SshTarget,
} from "@jetson/device-bridge/provisioning";
import type { FleetApi } from "../api-client.js";
import {
  type Credential,
  DEVICE_PATHS,
  existingCredential,
  readSettings,
  renderConfig,
  renderUnit,
  SERVICE_USER,
  UNIT_NAME,
} from "./device-files.js";
import { describeDevice, type EnrollmentPlan, fleetDevice, planEnrollment } from "./enrollment.js";
import { runOnTarget } from "./run-on-target.js";
import { type SshLogin, sshTarget } from "./ssh-target.js";
import { checkTarget, ProvisionRefused, type TargetFacts } from "./target-check.js";

export interface ProvisionOptions {
  login: SshLogin;
  /** The device's id in the fleet; the target's hostname when absent. */
  deviceId?: string;
  /** The device's bridge settings (JSON, without the credential). */
  settingsFile?: string;
  /** The single-file bridge to install. */
  bridgeFile: string;
  /** Trade a new enrollment code even when the device already holds a credential for this fleet. */
  reenroll: boolean;
  onlineTimeoutMs: number;
  /** One line per step as it happens. */
  report: (line: string) => void;
}

export interface StepOutcome {
  step: string;
  changed: boolean;
  detail: string;
}

export interface ProvisionReport {
  device: string;
  fleet: string;
  host: string;
  jetpack: string | undefined;
  node: string;
  steps: StepOutcome[];
}

/** The programs provisioning runs as root (through `sudo -n` unless it logs in as root). */
const PRIVILEGED = ["cat", "install", "groupadd", "useradd", "visudo", "systemctl"];
const SERVICE_GROUPS = ["gpio", "video"];

/** What each step sees: the target, what the checks found, and what changed so far. */
interface StepContext {
  host: SshHost;
  facts: TargetFacts;
  api: FleetApi;
  options: ProvisionOptions;
  deviceId: string;
  settings: Record<string, unknown>;
  enrollment: EnrollmentPlan;
  credential?: Credential;
  config?: BridgeConfig;
  /** Files whose new content the running bridge has not loaded yet. */
  pendingRestart: boolean;
}

interface Step {
  name: string;
  apply(ctx: StepContext): Promise<{ changed: boolean; detail: string }>;
}

/**
 * Installs the bridge on a Jetson over SSH, step by step; each step looks before it
 * changes anything, so a second run changes nothing. Refuses before any change when the
 * target is not a Jetson, has no usable Node, or the login has no root, and when the device id
 * is another board's in the fleet (unless --reenroll takes it over).
 */
export async function provision(api: FleetApi, options: ProvisionOptions, env: NodeJS.ProcessEnv): Promise<ProvisionReport> {
  const target = await sshTarget(options.login, env);
  const where = `${target.username}@${target.host}:${target.port}`;
  const settings = await readSettings(options.settingsFile);
  const machine = BridgeConfigSchema.pick({ root: true, programDirs: true }).parse(settings);
  const connection = new SshConnection(target, SILENT, { minMs: 500, maxMs: 500, attempts: 1 });
  try {
    await connection.ready().catch((error: Error) => {
      throw error instanceof HostKeyMismatchError ? hostKeyRefusal(target, error) : new ProvisionRefused(`Cannot log in to ${where}: ${error.message}`);
    });
    const hostOptions = { connection, root: machine.root, programDirs: machine.programDirs, defaultTimeoutMs: 120_000, defaultMaxOutputBytes: 64 << 20 };
    const plain = new SshHost(hostOptions);
    const facts = await checkTarget(plain, where);
    options.report(`${where}: ${facts.arch}, L4T ${facts.l4t} (JetPack ${facts.jetpack ?? "unknown"}), Node ${facts.node.version}${facts.root ? "" : ", sudo"}`);
    const deviceId = DeviceIdSchema.parse(options.deviceId ?? facts.hostname);
    const host = facts.root ? plain : new SshHost({ ...hostOptions, sudo: { path: await plain.locate("sudo"), programs: PRIVILEGED } });
    const held = existingCredential(await readPrivileged(host, DEVICE_PATHS.config), api.baseUrl, deviceId);
    const enrollment = await planEnrollment(api, deviceId, held, options.reenroll);
    const ctx: StepContext = { host, facts, api, options, deviceId, settings, enrollment, pendingRestart: false };
    const steps: StepOutcome[] = [];
    for (const step of STEPS) {
      const outcome = await step.apply(ctx);
      steps.push({ step: step.name, ...outcome });
      options.report(`${outcome.changed ? "changed  " : "unchanged"} ${step.name}: ${outcome.detail}`);
    }
    return { device: deviceId, fleet: ctx.credential?.fleet ?? "", host: where, jetpack: facts.jetpack, node: facts.node.version, steps };
  } finally {
    connection.close();
  }
}

const STEPS: Step[] = [
  {
    name: "service account",
    async apply({ host }) {
      if ((await host.run("id", ["-u", SERVICE_USER], { unprivileged: true })).exitCode === 0) return { changed: false, detail: `${SERVICE_USER} exists` };
      for (const group of SERVICE_GROUPS) {
        if ((await host.run("getent", ["group", group], { unprivileged: true })).exitCode !== 0) await runOnTarget(host, "groupadd", ["--system", group]);
      }
      await runOnTarget(host, "useradd", [
        "--system",
        "--user-group",
        "--no-create-home",
        "--home-dir",
        "/var/lib/jetson-bridge",
        "--shell",
        "/usr/sbin/nologin",
        "--groups",
        SERVICE_GROUPS.join(","),
        SERVICE_USER,
      ]);
      return { changed: true, detail: `created ${SERVICE_USER} (groups ${SERVICE_GROUPS.join(", ")})` };
    },
  },
  {
    name: "bridge",
    async apply(ctx) {
      const changed = await installFile(ctx, DEVICE_PATHS.bridge, await readFile(ctx.options.bridgeFile, "utf8"), "0755", "root");
      return { changed, detail: DEVICE_PATHS.bridge };
    },
  },
  {
    name: "enrollment",
    async apply(ctx) {
      const plan = ctx.enrollment;
      if ("keep" in plan) {
        ctx.credential = plan.keep;
        return { changed: false, detail: `${ctx.deviceId} already holds a credential of fleet ${plan.keep.fleet}, and the fleet accepts it` };
      }
      const url = ctx.api.baseUrl;
      const { code } = await ctx.api.request<EnrollmentCode>("POST", "/api/enrollments", { device: ctx.deviceId, ttlSeconds: 600 });
      // The fleet's update key comes with the credential: the device trusts releases it signed, and no other.
      ctx.credential = { url, ...(await redeemEnrollmentCode(url, code)) };
      const { deviceId, fleet } = ctx.credential;
      const { takeOver } = plan.enroll;
      const took = takeOver ? `; took it over from the board that held it (${describeDevice(takeOver)}), which is cut off` : "";
      return { changed: true, detail: `enrolled ${deviceId} in fleet ${fleet}${took}` };
    },
  },
  {
    name: "configuration",
    async apply(ctx) {
      if (!ctx.credential) throw new Error("enrollment gave no credential");
      const { text, config } = renderConfig(ctx.settings, ctx.credential);
      ctx.config = config;
      const changed = await installFile(ctx, DEVICE_PATHS.config, text, "0600", SERVICE_USER);
      return { changed, detail: `${DEVICE_PATHS.config} (mode 0600, ${SERVICE_USER})` };
    },
  },
  {
    name: "sudoers",
    async apply(ctx) {
      if (!ctx.config) throw new Error("no configuration to take the privileged programs from");
      // The helper is the bridge as the unit starts it: this Node, the installed script.
      const text = await machineSudoers(ctx.host, SERVICE_USER, ctx.config, { node: ctx.facts.node.path, script: DEVICE_PATHS.bridge });
      // What root reads for those programs (saved clock settings) lives in folders only root may write.
      const folders = rootOnlyFolders(ctx.config.sudo.programs);
      const missing = (await Promise.all(folders.map(async (dir) => ((await ctx.host.statFs(dir)) === undefined ? [dir] : [])))).flat();
      if (missing.length > 0) await runOnTarget(ctx.host, "install", ["-d", "-m", "0755", "-o", "root", "-g", "root", ...missing]);
      const current = await readPrivileged(ctx.host, DEVICE_PATHS.sudoers);
      if (current === text && missing.length === 0) return { changed: false, detail: DEVICE_PATHS.sudoers };
      if (current === text) return { changed: true, detail: `made ${missing.join(", ")} (root only)` };
      // A sudoers file sudo cannot parse locks everyone out of sudo: visudo checks it before it lands.
      await runOnTarget(ctx.host, "visudo", ["-c", "-f", "-"], { stdin: text });
      await installFile(ctx, DEVICE_PATHS.sudoers, text, "0440", "root", current);
      return { changed: true, detail: `${DEVICE_PATHS.sudoers} (${ctx.config.sudo.programs.join(", ") || "no privileged programs"})` };
    },
  },
  {
    name: "systemd unit",
    async apply(ctx) {
      if (!ctx.config) throw new Error("no configuration to take the unit's writable paths from");
      const changed = await installFile(ctx, DEVICE_PATHS.unit, await renderUnit(ctx.facts.node.path, ctx.config), "0644", "root");
      if (changed) await runOnTarget(ctx.host, "systemctl", ["daemon-reload"]);
      return { changed, detail: `${DEVICE_PATHS.unit} (ExecStart with ${ctx.facts.node.path})` };
    },
  },
  {
    name: "enabled at boot",
    async apply({ host }) {
      const state = await host.run("systemctl", ["is-enabled", UNIT_NAME]);
      if (state.stdout.trim() === "enabled") return { changed: false, detail: UNIT_NAME };
      await runOnTarget(host, "systemctl", ["enable", UNIT_NAME]);
      return { changed: true, detail: UNIT_NAME };
    },
  },
  {
    name: "running",
    async apply(ctx) {
      // The fleet accepts this board's credential (checked before the steps, or just traded) and closes
      // every connection when a device's credential changes: the device online is this board's bridge.
      const before = await fleetDevice(ctx.api, ctx.deviceId);
      const active = (await ctx.host.run("systemctl", ["is-active", UNIT_NAME])).stdout.trim() === "active";
      if (active && !ctx.pendingRestart && before?.online) return { changed: false, detail: `${UNIT_NAME} active, ${ctx.deviceId} online on this board's credential` };
      await runOnTarget(ctx.host, "systemctl", [active ? "restart" : "start", UNIT_NAME]);
      await waitOnline(ctx, before?.connectedSince);
      return { changed: true, detail: `${UNIT_NAME} ${active ? "restarted" : "started"}, ${ctx.deviceId} online` };
    },
  },
];

/** Writes a root-owned file through `install` (from standard input) when its content differs; true when it did. */
async function installFile(ctx: StepContext, path: string, content: string, mode: string, owner: string, current?: string): Promise<boolean> {
  if ((current ?? (await readPrivileged(ctx.host, path))) === content) return false;
  await runOnTarget(ctx.host, "install", ["-D", "-m", mode, "-o", owner, "-g", owner, "/dev/stdin", path], { stdin: content });
  ctx.pendingRestart = true;
  return true;
}

/** A file only root may read (the configuration is 0600), or undefined when there is none. */
async function readPrivileged(host: SshHost, path: string): Promise<string | undefined> {
  const result = await host.run("cat", [path]);
  return result.exitCode === 0 ? result.stdout : undefined;
}

/** Until the fleet shows the device online on a connection newer than `previous`; the bridge's log if it does not. */
async function waitOnline(ctx: StepContext, previous: number | undefined): Promise<void> {
  const deadline = Date.now() + ctx.options.onlineTimeoutMs;
  while (Date.now() < deadline) {
    const summary = await fleetDevice(ctx.api, ctx.deviceId);
    if (summary?.online && summary.connectedSince !== previous) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const journal = await ctx.host.run("journalctl", ["-u", UNIT_NAME, "-n", "20", "--no-pager"], { unprivileged: true }).catch(() => undefined);
  const log = journal?.exitCode === 0 && journal.stdout.trim() ? `\nIts log (journalctl -u ${UNIT_NAME}):\n${journal.stdout.trimEnd()}` : "";
  throw new Error(`${ctx.deviceId} did not come online within ${ctx.options.onlineTimeoutMs / 1000} s.${log}`);
}

function hostKeyRefusal(target: SshTarget, error: HostKeyMismatchError): ProvisionRefused {
  const where = target.port === 22 ? target.host : `[${target.host}]:${target.port}`;
  if (target.hostKeysSha256.length === 0) {
    return new ProvisionRefused(
      [
        `The host key of ${where} is not known: it is ${error.seen}.`,
        "Check it on the device (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then run again with",
        `--host-key ${error.seen} (or add the key to known_hosts).`,
      ].join("\n"),
    );
  }
  return new ProvisionRefused(
    `The host key of ${where} has changed: it is ${error.seen}, but ${target.hostKeysSha256.join(" or ")} is expected. Refusing to connect: someone may be intercepting the connection, or the device was reinstalled.`,
  );
}

// One attempt, and its failure is the command's error: nothing to log besides.
const ignore = () => undefined;
const SILENT = { debug: ignore, info: ignore, warn: ignore, error: ignore };
