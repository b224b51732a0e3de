import { execFile } from "node:child_process";
import { chmod, chown, copyFile, lchown, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { type SimulatedBoard, simulatedBoard } from "../actions/simulated-board.js";
import { type AptGetRequest, aptGetArgs } from "../machine/apt-get-commands.js";
import { killArgs } from "../machine/kill-commands.js";
import { setProfileArgs } from "../machine/nvfancontrol-commands.js";
import { NodeHost } from "./node-host.js";
import { machineSudoers } from "./privileged.js";
import { checkedHelperCommand, HelperRefusal, notRootOwned } from "./privileged-helper.js";

const BRIDGE = fileURLToPath(new URL("../../bin/jetson-bridge.js", import.meta.url));
const APT_GET = "/usr/bin/apt-get";
const KILL = "/usr/bin/kill";
const SED = "/usr/bin/sed";

const check = (program: string, args: unknown) => () => checkedHelperCommand([program], JSON.stringify(args));

describe("the root helper (jetson-bridge privileged)", () => {
  it("runs exactly the argument lists the actions build, apt-get without a debconf question", () => {
    const requests: AptGetRequest[] = [
      { operation: "update" },
      { operation: "install", names: ["htop", "tmux=3.2a-4"] },
      { operation: "upgrade", names: ["nvidia-l4t-core"] },
      { operation: "remove", names: ["htop"] },
      // The longest lists the catalogue allows: packages.upgrade takes 50 names, install and remove 20.
      { operation: "upgrade", names: Array.from({ length: 50 }, (_, i) => `pkg${i}`) },
      { operation: "install", names: Array.from({ length: 20 }, (_, i) => `pkg${i}`) },
    ];
    for (const request of requests) {
      const args = aptGetArgs(request);
      expect(checkedHelperCommand([APT_GET], JSON.stringify(args))).toEqual({
        program: APT_GET,
        args,
        env: expect.objectContaining({ DEBIAN_FRONTEND: "noninteractive" }),
      });
    }
    expect(checkedHelperCommand([KILL], JSON.stringify(killArgs({ signal: "KILL", pid: 4242 })))).toMatchObject({ program: KILL, args: ["-s", "KILL", "4242"] });
    expect(checkedHelperCommand([SED], JSON.stringify(setProfileArgs({ profile: "cool" })))).toMatchObject({ program: SED, args: setProfileArgs({ profile: "cool" }) });
  });

  it.each([
    ["apt-get -o APT::Update::Pre-Invoke::=CMD update", APT_GET, ["-o", "APT::Update::Pre-Invoke::=/bin/sh", "update"]],
    ["apt-get install ./local.deb", APT_GET, [...aptGetArgs({ operation: "install", names: ["htop"] }).slice(0, -1), "./local.deb"]],
    ["apt-get install /tmp/evil.deb", APT_GET, [...aptGetArgs({ operation: "install", names: ["htop"] }).slice(0, -1), "/tmp/evil.deb"]],
    ["a package named like an option", APT_GET, [...aptGetArgs({ operation: "install", names: ["htop"] }).slice(0, -1), "--allow-unauthenticated"]],
    ["an -o option among the names", APT_GET, [...aptGetArgs({ operation: "install", names: ["htop"] }).slice(0, -1), "-o", "Dir::Etc::sourcelist=/tmp/evil.list", "htop"]],
    ["an extra option before the operation", APT_GET, ["-o", "Dpkg::Options::=--force-all", ...aptGetArgs({ operation: "update" })]],
    ["apt-get update with a package", APT_GET, [...aptGetArgs({ operation: "update" }), "htop"]],
    ["apt-get remove with a version", APT_GET, [...aptGetArgs({ operation: "remove", names: ["htop"] }).slice(0, -1), "htop=3.0"]],
    ["apt-get install without --", APT_GET, [...aptGetArgs({ operation: "update" }).slice(0, -1), "install", "htop"]],
    ["apt-get source (an operation the bridge never runs)", APT_GET, [...aptGetArgs({ operation: "update" }).slice(0, -1), "source", "htop"]],
    ["apt-get with 21 packages", APT_GET, aptGetArgs({ operation: "install", names: Array.from({ length: 21 }, (_, i) => `pkg${i}`) })],
    ["sed with its own script", SED, ["-i", "-E", "-e", "s/^root:[^:]*:/root::/", "/etc/shadow"]],
    ["sed on another file", SED, [...setProfileArgs({ profile: "cool" }).slice(0, -1), "/etc/shadow"]],
    ["sed on a second file", SED, [...setProfileArgs({ profile: "cool" }), "/etc/shadow"]],
    ["sed writing a file from the profile (w command)", SED, setProfileArgs({ profile: "cool/w /etc/sudoers.d/evil" })],
    ["sed running a command from the profile (e command)", SED, setProfileArgs({ profile: "cool/e id" })],
    ["sed with a second command after the profile", SED, setProfileArgs({ profile: "cool;s/x/y" })],
    ["sed with a profile over 64 characters", SED, setProfileArgs({ profile: "a".repeat(65) })],
    ["sed without -E", SED, setProfileArgs({ profile: "cool" }).filter((arg) => arg !== "-E")],
    ["kill -9 1", KILL, ["-9", "1"]],
    ["kill -s TERM 1 (init)", KILL, ["-s", "TERM", "1"]],
    ["kill -s TERM -1 (every process)", KILL, ["-s", "TERM", "-1"]],
    ["kill -s HUP", KILL, ["-s", "HUP", "4242"]],
    ["kill of two processes", KILL, ["-s", "TERM", "4242", "4243"]],
    ["kill of a PID with a leading zero", KILL, ["-s", "TERM", "04242"]],
  ])("refuses %s before running anything", (_name, program, args) => {
    expect(check(program, args)).toThrow(HelperRefusal);
  });

  it("refuses a program it does not run, a relative path, more arguments and input that is not an argument list", () => {
    expect(check("/usr/sbin/nvpmodel", ["-q"])).toThrow(/nvpmodel is not run through the helper/);
    expect(check("/bin/sh", ["-c", "id"])).toThrow(/sh is not run through the helper/);
    expect(check("apt-get", ["update"])).toThrow(/usage/);
    expect(() => checkedHelperCommand([APT_GET, "--", "/bin/sh"], "[]")).toThrow(/usage/);
    expect(() => checkedHelperCommand([APT_GET], "update")).toThrow(/not a JSON argument list/);
    expect(check(APT_GET, { operation: "update" })).toThrow(/not a JSON list of arguments/);
    expect(check(APT_GET, Array.from({ length: 129 }, () => "htop"))).toThrow(/not a JSON list of arguments/);
  });
});

describe("apt-get and kill through sudo and the helper on a simulated board", () => {
  let board: SimulatedBoard;
  afterEach(() => board.remove());

  /** A board whose bridge runs apt-get and kill as the real one does: sudo -n, the generated sudoers file, this bridge as the helper. */
  async function boardWithSudo(): Promise<SimulatedBoard> {
    const helper = { node: process.execPath, script: BRIDGE };
    let sudoHost: NodeHost | undefined;
    const created = await simulatedBoard("nano-jp46", (host, sim) => {
      sudoHost = new NodeHost({
        root: sim.root,
        programDirs: [sim.binDir],
        defaultTimeoutMs: 30_000,
        defaultMaxOutputBytes: 1 << 20,
        sudo: { path: path.join(sim.binDir, "sudo"), programs: ["apt-get", "kill"], helper },
      });
      return sudoHost;
    });
    if (!sudoHost) throw new Error("no host");
    // The stand-in runs as the calling user (root here), so the file names that user.
    const text = await machineSudoers(sudoHost, "root", { services: { allow: [] }, sudo: { programs: ["apt-get", "kill"] } }, helper);
    await mkdir(path.join(created.sim.root, "etc/sudoers.d"), { recursive: true });
    await writeFile(path.join(created.sim.root, "etc/sudoers.d/jetson-bridge"), text);
    return created;
  }

  it("installs a package and stops a process with the argument lists the actions build", async () => {
    board = await boardWithSudo();
    const installed = await board.run("packages.install", { names: ["htop"], tailLines: 0 });
    expect(installed.packages).toEqual([expect.objectContaining({ name: "htop", installed: true })]);
    expect(await board.run("processes.kill", { pid: 2290 })).toMatchObject({ signals: ["TERM"], exited: true });
    const calls = (await board.calls()).filter((c) => c.program === "apt-get" || c.program === "kill");
    expect(calls).toEqual([
      { program: "apt-get", argv: aptGetArgs({ operation: "install", names: ["htop"] }) },
      { program: "kill", argv: killArgs({ signal: "TERM", pid: 2290 }) },
    ]);
  }, 60_000);

  it("refuses a compromised bridge's apt-get -o APT::Update::Pre-Invoke and kill of init, running neither", async () => {
    board = await boardWithSudo();
    const preInvoke = await board.host.run("apt-get", ["-o", "APT::Update::Pre-Invoke::=/bin/sh", "update"]);
    expect(preInvoke.exitCode).toBe(126);
    expect(preInvoke.stderr).toMatch(/^jetson-bridge privileged: refused apt-get/);
    const init = await board.host.run("kill", ["-s", "KILL", "1"]);
    expect(init.exitCode).toBe(126);
    expect(init.stderr).toMatch(/refused kill .*pid/);
    expect((await board.calls()).filter((c) => c.program === "apt-get" || c.program === "kill")).toEqual([]);
  }, 60_000);
});

/** `jetson-bridge sudoers` as the operator runs it, started from `script`. */
function sudoersCommand(script: string, config: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [script, "sudoers", "--user", "jetson-bridge", "--config", config], (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }));
  });
}

const bridgeConfig = (programDirs: string[], programs: string[]) =>
  JSON.stringify({ url: "http://127.0.0.1:1", fleet: "local", deviceId: "d", token: "t".repeat(32), programDirs, sudo: { programs } });

describe.skipIf(process.getuid?.() !== 0)("files root runs, only where root alone may change them (skipped unless the tests run as root)", () => {
  it("is refused where the script or a folder above it belongs to another user or is writable by others", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "helper-"));
    try {
      const script = path.join(dir, "jetson-bridge.mjs");
      await copyFile(BRIDGE, script);
      await chmod(dir, 0o755);
      expect(await notRootOwned(script)).toBeUndefined();
      expect(await notRootOwned(process.execPath)).toBeUndefined();
      await chown(script, 65534, 65534);
      expect(await notRootOwned(script)).toBe(`${script} belongs to uid 65534, not root`);
      await chown(script, 0, 0);
      await chmod(dir, 0o775);
      expect(await notRootOwned(script)).toBe(`${dir} is writable by its group or by others (mode 775)`);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it("follows a link to where it leads: a link in a root-only folder to a file in a folder others may write is refused, and so is a link others may replace", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "helper-"));
    try {
      await chmod(dir, 0o755);
      const safe = path.join(dir, "safe");
      const open = path.join(dir, "open");
      const sticky = path.join(dir, "sticky");
      for (const folder of [safe, open, sticky]) await mkdir(folder);
      await chmod(open, 0o777);
      await chmod(sticky, 0o1777);
      const node = path.join(open, "node");
      await copyFile(process.execPath, node);
      // The reviewer's case: the link and the folders above it are root's, but anyone may replace the file it leads to.
      await symlink(node, path.join(safe, "node"));
      expect(await notRootOwned(path.join(safe, "node"))).toBe(`${open} is writable by its group or by others (mode 777), reached through the link ${path.join(safe, "node")}`);
      // Relative, and through a folder link: the real path's folders count, not the link's.
      await symlink("../open", path.join(safe, "bin"));
      expect(await notRootOwned(path.join(safe, "bin/node"))).toBe(`${open} is writable by its group or by others (mode 777), reached through the link ${path.join(safe, "bin")}`);
      // Root's own file, but the link to it lies in a sticky folder and belongs to another user, who may replace it.
      await copyFile(process.execPath, path.join(safe, "real-node"));
      await symlink(path.join(safe, "real-node"), path.join(sticky, "node"));
      expect(await notRootOwned(path.join(sticky, "node"))).toBeUndefined();
      await lchown(path.join(sticky, "node"), 65534, 65534);
      expect(await notRootOwned(path.join(sticky, "node"))).toBe(`${path.join(sticky, "node")} belongs to uid 65534, not root`);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it("makes jetson-bridge sudoers refuse to name a helper the bridge's user could change", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "helper-"));
    try {
      const config = path.join(dir, "config.json");
      await writeFile(config, bridgeConfig(["/usr/bin", "/bin"], ["kill"]));
      // A copy of the launcher in a folder another user owns, started from there.
      const launcher = path.join(dir, "jetson-bridge.js");
      await writeFile(launcher, `import ${JSON.stringify(BRIDGE)};\n`);
      await chown(dir, 65534, 65534);
      const result = await sudoersCommand(launcher, config);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`sudo would run ${launcher} as root (the helper for kill), but ${dir} belongs to uid 65534, not root`);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it("makes jetson-bridge sudoers refuse a program the bridge's user could change, there or through a link, printing no line", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "programs-"));
    try {
      await chmod(dir, 0o755);
      const config = path.join(dir, "config.json");
      const systemctl = (folder: string) => path.join(folder, "systemctl");
      // A folder the bridge's user owns (as /var/lib/jetson-bridge/bin would be), one anyone may write, and a root-only one linking into the latter.
      const owned = path.join(dir, "owned");
      const open = path.join(dir, "open");
      const linked = path.join(dir, "linked");
      for (const folder of [owned, open, linked]) await mkdir(folder);
      for (const folder of [owned, open]) {
        await writeFile(systemctl(folder), "#!/bin/sh\nexit 0\n");
        await chmod(systemctl(folder), 0o755);
      }
      await chown(owned, 65534, 65534);
      await chmod(open, 0o777);
      await symlink(systemctl(open), systemctl(linked));
      const refusals: Array<[folder: string, refusal: string]> = [
        [owned, `sudo would run ${systemctl(owned)} as root (systemctl), but ${owned} belongs to uid 65534, not root.`],
        [open, `sudo would run ${systemctl(open)} as root (systemctl), but ${open} is writable by its group or by others (mode 777).`],
        [linked, `sudo would run ${systemctl(linked)} as root (systemctl), but ${open} is writable by its group or by others (mode 777), reached through the link ${systemctl(linked)}.`],
      ];
      for (const [folder, refusal] of refusals) {
        await writeFile(config, bridgeConfig([folder, "/usr/bin"], ["systemctl"]));
        const result = await sudoersCommand(BRIDGE, config);
        expect(result, folder).toMatchObject({ code: 2, stdout: "" });
        expect(result.stderr, folder).toContain(refusal);
      }
      // The same program where root alone can change it and the folders above it.
      await chown(owned, 0, 0);
      await writeFile(config, bridgeConfig([owned], ["systemctl"]));
      const named = await sudoersCommand(BRIDGE, config);
      expect(named.code, named.stderr).toBe(0);
      expect(named.stdout).toContain(`jetson-bridge ALL=(root) NOPASSWD: ${systemctl(owned)} reboot\n`);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
