import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimulatedJetson, type SimBoardId, type SimulatedJetson } from "../../device-bridge/sim/index.js";
import { REPO } from "../../scripts/local-stack.js";
import { type LocalSshd, startSshd } from "../../scripts/sshd.js";
import { TestStack } from "../support/stack.js";

const run = promisify(execFile);
const JETSON_FLEET = path.join(REPO, "fleet-cli/bin/jetson-fleet.js");
/** A user of this machine that logs in with a password: not root on the target, with or without sudo. */
const PASSWORD_USER = "jetson-provision-test";

interface StepOutcome {
  step: string;
  changed: boolean;
}

let stack: TestStack;
let sshd: LocalSshd;
let mcp: Client;
let identity: string;
const targets: SimulatedJetson[] = [];

beforeAll(async () => {
  await run("npm", ["run", "build", "-w", "@jetson/device-bridge"], { cwd: REPO });
  stack = await TestStack.start();
  sshd = await startSshd(path.join(stack.dir, "sshd"), { passwords: true });
  identity = path.join(stack.dir, "id_ed25519");
  await writeFile(identity, sshd.privateKey, { mode: 0o600 });
  mcp = await stack.mcp();
});

afterAll(async () => {
  // The simulated systemd started these bridges as processes of their own.
  for (const target of targets) await run(path.join(target.binDir, "systemctl"), ["stop", "jetson-bridge.service"]).catch(() => undefined);
  await run("userdel", ["--remove", PASSWORD_USER]).catch(() => undefined);
  await mcp?.close();
  await sshd?.stop();
  await stack?.stop();
});

/** A simulated Jetson reached through the local sshd, and the bridge settings that place it under its root. */
async function target(name: string, board: SimBoardId, node: boolean, hostname = name): Promise<{ sim: SimulatedJetson; settings: string }> {
  const sim = await createSimulatedJetson({ dir: path.join(stack.dir, name), board, hostname, node });
  targets.push(sim);
  const settings = path.join(stack.dir, `${name}.settings.json`);
  const state = path.join(stack.dir, `${name}-state`);
  await writeFile(settings, JSON.stringify({ root: sim.root, programDirs: [sim.binDir], stateDir: state, models: { dir: path.join(state, "models") } }));
  return { sim, settings };
}

/** Runs the operator's command line as a process of its own. */
async function jetsonFleet(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const options = { env: { ...process.env, JETSON_FLEET_URL: stack.worker.url, JETSON_FLEET_TOKEN: stack.worker.fleetToken, ...env }, timeout: 150_000 };
  return run(process.execPath, [JETSON_FLEET, ...args], options).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? "", stderr: error.stderr ?? "" }),
  );
}

const destination = (user = sshd.username) => `${user}@127.0.0.1:${sshd.port}`;

async function callLog(sim: SimulatedJetson): Promise<string> {
  return readFile(path.join(sim.root, "var/log/sim-calls.log"), "utf8").catch(() => "");
}

/** Provisions a target with the local sshd's key, pinned. */
const provisionTarget = (board: { settings: string }, ...extra: string[]) =>
  jetsonFleet(["provision", destination(), "--identity", identity, "--host-key", sshd.hostKeySha256, "--settings", board.settings, ...extra]);

const deviceConfig = async (sim: SimulatedJetson) => JSON.parse(await readFile(path.join(sim.root, "etc/jetson-bridge/config.json"), "utf8")) as Record<string, unknown>;

describe("jetson-fleet provision USER@HOST", () => {
  let orin: { sim: SimulatedJetson; settings: string };

  it("checks the Jetson, installs and enrolls the bridge over SSH, starts it and waits until it is online", { timeout: 180_000 }, async () => {
    orin = await target("desk-orin", "orin-nano-super-jp6", true);
    const result = await jetsonFleet(["provision", destination(), "--identity", identity, "--host-key", sshd.hostKeySha256, "--settings", orin.settings]);
    expect(result.stderr).toMatch(/aarch64, L4T 36\.\d+\.\d+ \(JetPack 6/);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { device: string; fleet: string; steps: StepOutcome[] };
    expect(report).toMatchObject({ device: "desk-orin", fleet: "local" });
    expect(report.steps.map((s) => [s.step, s.changed])).toEqual([
      ["service account", true],
      ["bridge", true],
      ["enrollment", true],
      ["configuration", true],
      ["sudoers", true],
      ["systemd unit", true],
      ["enabled at boot", true],
      ["running", true],
    ]);

    const { root } = orin.sim;
    expect((await stat(path.join(root, "etc/jetson-bridge/config.json"))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(root, "etc/sudoers.d/jetson-bridge"))).mode & 0o777).toBe(0o440);
    expect(await readFile(path.join(root, "etc/systemd/system/jetson-bridge.service"), "utf8")).toContain(
      `ExecStart=${path.join(orin.sim.binDir, "node")} /opt/jetson-bridge/jetson-bridge.mjs launch --releases /var/lib/jetson-bridge/releases -- run --config /etc/jetson-bridge/config.json`,
    );
    expect(await readFile(path.join(root, "etc/passwd"), "utf8")).toMatch(/^jetson-bridge:x:\d+:\d+::\/var\/lib\/jetson-bridge:\/usr\/sbin\/nologin$/m);

    // The device answers an assistant: the installed bridge reads the simulated board.
    const info = (await mcp.callTool({ name: "system_info", arguments: { device: "desk-orin" } })) as CallToolResult;
    expect(info.isError).toBeFalsy();
    expect(info.structuredContent).toMatchObject({ hostname: "desk-orin" });
  });

  it("changes nothing when run a second time (trusting the host key from known_hosts)", { timeout: 120_000 }, async () => {
    const knownHosts = path.join(stack.dir, "known_hosts");
    const hostKey = (await readFile(path.join(stack.dir, "sshd/host_ed25519.pub"), "utf8")).trim();
    await writeFile(knownHosts, `[127.0.0.1]:${sshd.port} ${hostKey}\n`);
    const before = await stack.worker.api<{ connectedSince?: number; online: boolean }>("/api/devices/desk-orin");
    const config = await readFile(path.join(orin.sim.root, "etc/jetson-bridge/config.json"), "utf8");

    const result = await jetsonFleet(["provision", destination(), "--identity", identity, "--known-hosts", knownHosts, "--settings", orin.settings]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { steps: StepOutcome[] };
    expect(report.steps.filter((s) => s.changed)).toEqual([]);
    expect(await readFile(path.join(orin.sim.root, "etc/jetson-bridge/config.json"), "utf8")).toBe(config);
    // Same bridge process, same connection: no restart, no new credential.
    expect(await stack.worker.api("/api/devices/desk-orin")).toMatchObject({ online: true, connectedSince: before.connectedSince });
  });

  it("trades a new credential with --reenroll, restarts the bridge on it and waits for the new connection", { timeout: 120_000 }, async () => {
    const before = await stack.worker.api<{ connectedSince?: number }>("/api/devices/desk-orin");
    const oldConfig = await readFile(path.join(orin.sim.root, "etc/jetson-bridge/config.json"), "utf8");
    const result = await jetsonFleet(["provision", destination(), "--identity", identity, "--host-key", sshd.hostKeySha256, "--settings", orin.settings, "--reenroll"]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { steps: StepOutcome[] };
    expect(report.steps.filter((s) => s.changed).map((s) => s.step)).toEqual(["enrollment", "configuration", "running"]);
    const token = (text: string) => (JSON.parse(text) as { token: string }).token;
    expect(token(await readFile(path.join(orin.sim.root, "etc/jetson-bridge/config.json"), "utf8"))).not.toBe(token(oldConfig));
    const after = await stack.worker.api<{ online: boolean; connectedSince?: number }>("/api/devices/desk-orin");
    expect(after.online).toBe(true);
    expect(after.connectedSince).toBeGreaterThan(before.connectedSince ?? 0);
    const info = (await mcp.callTool({ name: "system_info", arguments: { device: "desk-orin" } })) as CallToolResult;
    expect(info.structuredContent).toMatchObject({ hostname: "desk-orin" });
  });

  it("gives the privileged programs exact sudoers lines, the helper for apt-get and kill, a root-only clocks folder and the writable paths they need", { timeout: 180_000 }, async () => {
    const board = await target("priv-orin", "agx-orin-jp6", true);
    const settings = { ...(JSON.parse(await readFile(board.settings, "utf8")) as object), sudo: { programs: ["nvpmodel", "jetson_clocks", "systemctl", "apt-get", "kill"] } };
    await writeFile(board.settings, JSON.stringify(settings));
    const result = await jetsonFleet(["provision", destination(), "--identity", identity, "--host-key", sshd.hostKeySha256, "--settings", board.settings]);
    expect(result.code, result.stderr).toBe(0);

    const { root, binDir } = board.sim;
    const sudoers = await readFile(path.join(root, "etc/sudoers.d/jetson-bridge"), "utf8");
    const rules = sudoers.split("\n").filter((line) => line.startsWith("jetson-bridge ALL="));
    // The board's own modes, read from its /etc/nvpmodel.conf.
    const modes = [...(await readFile(path.join(root, "etc/nvpmodel.conf"), "utf8")).matchAll(/^< POWER_MODEL ID=(\d+)/gm)].map((m) => m[1]);
    expect(modes.length).toBeGreaterThan(1);
    for (const id of modes) expect(rules).toContain(`jetson-bridge ALL=(root) NOPASSWD: ${binDir}/nvpmodel -m ${id}`);
    // The helper as the unit starts the bridge: the Node provisioning found, the installed script.
    expect(rules).toContain(`jetson-bridge ALL=(root) NOPASSWD: ${binDir}/node /opt/jetson-bridge/jetson-bridge.mjs privileged ${binDir}/apt-get`);
    // No program with free arguments: each rule has its arguments, or "".
    for (const rule of rules) expect(rule).toMatch(/NOPASSWD: \S+ \S/);
    expect(sudoers).not.toMatch(/[*?]|apt-get ""|env_keep/);
    expect((await stat(path.join(root, "var/lib/jetson-bridge-clocks"))).isDirectory()).toBe(true);
    const unit = await readFile(path.join(root, "etc/systemd/system/jetson-bridge.service"), "utf8");
    expect(unit).toContain("ReadWritePaths=/var/lib/dpkg\n");
    expect(unit).toContain("ReadWritePaths=/var/lib/jetson-bridge-clocks\n");
  });

  it("stops at a host key it does not know, showing its fingerprint, and at one that changed, before running anything", async () => {
    const fresh = await target("unknown-key", "xavier-nx-jp51", true);
    const emptyKnownHosts = path.join(stack.dir, "empty_known_hosts");
    await writeFile(emptyKnownHosts, "");
    const unknown = await jetsonFleet(["provision", destination(), "--identity", identity, "--known-hosts", emptyKnownHosts, "--settings", fresh.settings]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`is not known: it is ${sshd.hostKeySha256}`);
    expect(unknown.stderr).toContain(`--host-key ${sshd.hostKeySha256}`);

    const wrong = `SHA256:${randomBytes(32).toString("base64").replace(/=+$/, "")}`;
    const changed = await jetsonFleet(["provision", destination(), "--identity", identity, "--host-key", wrong, "--settings", fresh.settings]);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain(`has changed: it is ${sshd.hostKeySha256}, but ${wrong} is expected`);
    expect(await callLog(fresh.sim)).toBe("");
  });

  it("refuses a Jetson without a usable Node before changing anything, and offers gateway mode", async () => {
    const nano = await target("old-nano", "nano-jp46", false);
    const result = await jetsonFleet(["provision", destination(), "--identity", identity, "--host-key", sshd.hostKeySha256, "--settings", nano.settings]);
    expect(result.code).toBe(1);
    // The folder as the Jetson names it, not where its simulated root lies on this machine.
    expect(result.stderr).toContain(`(old-nano) cannot run the bridge: node is not installed (looked in /${path.relative(nano.sim.root, nano.sim.binDir)})`);
    expect(result.stderr).toContain("JetPack 4.6");
    expect(result.stderr).toMatch(/gateway mode/);
    await expect(stat(path.join(nano.sim.root, "opt/jetson-bridge"))).rejects.toThrow(/ENOENT/);
    expect(await callLog(nano.sim)).not.toMatch(/"program":"(install|useradd|systemctl)"/);
  });

  it("refuses a board whose hostname is already another board's device, leaving that board connected; --reenroll takes it over and says so", { timeout: 300_000 }, async () => {
    // Many Jetsons keep the stock hostname, and the device id defaults to it.
    const first = await target("first-desktop", "orin-nano-super-jp6", true, "nvidia-desktop");
    expect((await provisionTarget(first)).code).toBe(0);
    const before = await stack.worker.api<{ online: boolean; connectedSince?: number }>("/api/devices/nvidia-desktop");
    expect(before.online).toBe(true);

    const second = await target("second-desktop", "agx-orin-jp6", true, "nvidia-desktop");
    const refused = await provisionTarget(second);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `nvidia-desktop is already a device of fleet local (NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super, hostname nvidia-desktop, online since ${new Date(before.connectedSince ?? 0).toISOString()}), and this board holds no credential for it.`,
    );
    expect(refused.stderr).toContain("Run again with --device <another id> to enroll this board as a device of its own, or with --reenroll to take nvidia-desktop over.");
    // Nothing changed on the second board, and the first one kept its credential and its connection.
    await expect(stat(path.join(second.sim.root, "opt/jetson-bridge"))).rejects.toThrow(/ENOENT/);
    expect(await callLog(second.sim)).not.toMatch(/"program":"(install|useradd|systemctl)"/);
    expect(await stack.worker.api("/api/devices/nvidia-desktop")).toMatchObject({ online: true, connectedSince: before.connectedSince });

    const takeOver = await provisionTarget(second, "--reenroll");
    expect(takeOver.code, takeOver.stderr).toBe(0);
    expect(takeOver.stderr).toContain(
      "changed   enrollment: enrolled nvidia-desktop in fleet local; took it over from the board that held it (NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super, hostname nvidia-desktop, online since",
    );
    const info = (await mcp.callTool({ name: "system_info", arguments: { device: "nvidia-desktop" } })) as CallToolResult;
    expect(info.structuredContent).toMatchObject({ board: "NVIDIA Jetson AGX Orin Developer Kit" });

    // The first board's credential is void now: running provision on it again fails, saying why, and takes nothing back.
    const held = await stack.worker.api<{ connectedSince?: number }>("/api/devices/nvidia-desktop");
    const rerun = await provisionTarget(first);
    expect(rerun.code).toBe(1);
    expect(rerun.stderr).toContain("and the fleet no longer accepts this board's credential for it");
    expect(rerun.stderr).toContain("NVIDIA Jetson AGX Orin Developer Kit, hostname nvidia-desktop, online since");
    expect(await stack.worker.api("/api/devices/nvidia-desktop")).toMatchObject({ online: true, connectedSince: held.connectedSince });
  });

  it("pins the fleet's update key on a board it enrolls, and keeps it when run again", { timeout: 180_000 }, async () => {
    const keygen = await jetsonFleet(["release", "keygen", "--key", path.join(stack.dir, "update.key")]);
    expect(keygen.code, keygen.stderr).toBe(0);
    const { publicKey } = JSON.parse(keygen.stdout) as { publicKey: string };
    const board = await target("keyed-orin", "orin-nano-super-jp6", true);
    const result = await provisionTarget(board);
    expect(result.code, result.stderr).toBe(0);
    expect(await deviceConfig(board.sim)).toMatchObject({ deviceId: "keyed-orin", updateKey: publicKey });

    const again = await provisionTarget(board);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { steps: StepOutcome[] }).steps.filter((s) => s.changed)).toEqual([]);
    expect(await deviceConfig(board.sim)).toMatchObject({ updateKey: publicKey });
  });

  describe("with a password login (a user of this machine, not root)", () => {
    const password = randomBytes(18).toString("base64url");
    const login = (sim: SimulatedJetson, settings: string, secret = password) =>
      jetsonFleet(["provision", destination(PASSWORD_USER), "--password-env", "TEST_SSH_PASSWORD", "--host-key", sshd.hostKeySha256, "--settings", settings], {
        TEST_SSH_PASSWORD: secret,
      });

    beforeAll(async () => {
      await run("useradd", ["--create-home", "--shell", "/bin/sh", PASSWORD_USER]).catch(() => undefined);
      await new Promise<void>((resolve, reject) => {
        const child = execFile("chpasswd", (error) => (error ? reject(error) : resolve()));
        child.stdin?.end(`${PASSWORD_USER}:${password}\n`);
      });
      // The login must reach the simulated boards' programs.
      await chmod(stack.dir, 0o755);
    });

    it("refuses a login with neither root nor sudo before anything changes, and a wrong password", async () => {
      const fresh = await target("password-login", "xavier-nx-jp51", true);
      await chmod(fresh.sim.root, 0o755);
      const result = await login(fresh.sim, fresh.settings);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("the login is not root and cannot use sudo without a password (sudo: a password is required)");
      await expect(stat(path.join(fresh.sim.root, "opt/jetson-bridge"))).rejects.toThrow(/ENOENT/);

      const wrongPassword = await login(fresh.sim, fresh.settings, `${password}-wrong`);
      expect(wrongPassword.code).toBe(1);
      expect(wrongPassword.stderr).toContain(`Cannot log in to ${PASSWORD_USER}@127.0.0.1:${sshd.port}`);
    });

    it("provisions through passwordless sudo until the device is online", { timeout: 180_000 }, async () => {
      const board = await target("sudo-login", "orin-nano-super-jp6", true);
      await mkdir(path.join(board.sim.root, "etc/sudoers.d"), { recursive: true });
      await writeFile(path.join(board.sim.root, "etc/sudoers.d/operator"), `${PASSWORD_USER} ALL=(ALL) NOPASSWD: ALL\n`);
      // The simulated tree has no root to become: the login owns it, as root owns a real board.
      await mkdir(path.join(stack.dir, "sudo-login-state"));
      for (const dir of [board.sim.root, path.join(stack.dir, "sudo-login-state")]) await run("chown", ["-R", `${PASSWORD_USER}:`, dir]);

      const result = await login(board.sim, board.settings);
      expect(result.stderr).toMatch(/Node v\d+\.\d+\.\d+, sudo\n/);
      expect(result.code, result.stderr).toBe(0);
      const privileged = (await callLog(board.sim)).split("\n").filter((line) => line.includes('"program":"sudo"'));
      expect(privileged.some((line) => line.includes("/usr/bin/install"))).toBe(true);
      const info = (await mcp.callTool({ name: "system_info", arguments: { device: "sudo-login" } })) as CallToolResult;
      expect(info.structuredContent).toMatchObject({ hostname: "sudo-login" });
    });
  });
});
