import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NodeHost } from "./node-host.js";
import { machineSudoers, renderSudoers, sudoersEntries } from "./privileged.js";

async function program(dir: string, name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

describe("privileged programs", () => {
  it("runs listed programs through sudo -n with their absolute path, and others directly", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "sudo-"));
    const fakeSudo = await program(dir, "fake-sudo", `echo "sudo $*"`);
    const nvpmodel = await program(dir, "nvpmodel", `echo "nvpmodel $*"`);
    await program(dir, "tegrastats", `echo "tegrastats $*"`);
    const host = new NodeHost({
      root: dir,
      programDirs: [dir],
      defaultTimeoutMs: 5_000,
      defaultMaxOutputBytes: 10_000,
      sudo: { path: fakeSudo, programs: ["nvpmodel"] },
    });
    expect((await host.run("nvpmodel", ["-m", "1; reboot"])).stdout).toBe(`sudo -n -- ${nvpmodel} -m 1; reboot\n`);
    expect((await host.run("tegrastats", ["--interval", "1000"])).stdout).toBe("tegrastats --interval 1000\n");
    // A query that needs no root runs as the bridge's user, so sudoers need not allow it.
    expect((await host.run("nvpmodel", ["-q"], { unprivileged: true })).stdout).toBe("nvpmodel -q\n");
  });

  it("runs apt-get and kill through sudo as the helper, their arguments on its standard input", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "sudo-"));
    const fakeSudo = await program(dir, "fake-sudo", `echo "sudo $*"; cat`);
    const aptGet = await program(dir, "apt-get", "exit 0");
    const helper = { node: "/usr/bin/node", script: "/opt/jetson-bridge/jetson-bridge.mjs" };
    const options = { root: dir, programDirs: [dir], defaultTimeoutMs: 5_000, defaultMaxOutputBytes: 10_000 };
    const host = new NodeHost({ ...options, sudo: { path: fakeSudo, programs: ["apt-get"], helper } });
    expect((await host.run("apt-get", ["update"])).stdout).toBe(`sudo -n -- /usr/bin/node /opt/jetson-bridge/jetson-bridge.mjs privileged ${aptGet}\n["update"]`);
    // Over SSH (gateway mode) there is no helper: the program is not run as root with arguments sudo cannot pin.
    const noHelper = new NodeHost({ ...options, sudo: { path: fakeSudo, programs: ["apt-get"] } });
    await expect(noHelper.run("apt-get", ["update"])).rejects.toThrow(/only through the bridge's own helper/);
  });

  it("writes a sudoers file naming exact command lines by absolute path, \"\" where there are no arguments", () => {
    const text = renderSudoers("jetson-bridge", [
      { program: "nvpmodel", commands: [["/usr/sbin/nvpmodel", "-q"]] },
      { program: "jetson_clocks", commands: [["/usr/bin/jetson_clocks"]] },
    ]);
    expect(text).toContain("jetson-bridge ALL=(root) NOPASSWD: /usr/sbin/nvpmodel -q\n");
    // The path alone would let sudo run it with any arguments.
    expect(text).toContain('jetson-bridge ALL=(root) NOPASSWD: /usr/bin/jetson_clocks ""\n');
    expect(text).not.toMatch(/ALL$|\/bin\/sh|\*|jetson_clocks$/m);
    expect(() => renderSudoers("root; ALL", [])).toThrow(/Not a user name/);
    expect(() => renderSudoers("bridge", [{ program: "x", commands: [["/usr/bin/x *"]] }])).toThrow(/Not an absolute program path/);
  });

  it("names systemctl's exact command lines: reboot, poweroff and each verb on each allowed unit; apt-get only as the helper", () => {
    const entries = sudoersEntries(
      [
        { program: "systemctl", path: "/usr/bin/systemctl" },
        { program: "apt-get", path: "/usr/bin/apt-get" },
      ],
      { services: { allow: ["nginx.service", "getty@tty1.service"] }, powerModes: [], nvfancontrol: false },
      { node: "/usr/bin/node", script: "/opt/jetson-bridge/jetson-bridge.mjs" },
    );
    const text = renderSudoers("jetson-bridge", entries);
    const rules = text.split("\n").filter((line) => line.startsWith("jetson-bridge "));
    expect(rules).toEqual([
      "jetson-bridge ALL=(root) NOPASSWD: /usr/bin/systemctl reboot",
      "jetson-bridge ALL=(root) NOPASSWD: /usr/bin/systemctl poweroff",
      ...["nginx.service", "getty@tty1.service"].flatMap((unit) =>
        ["start", "stop", "restart", "enable", "disable"].map((verb) => `jetson-bridge ALL=(root) NOPASSWD: /usr/bin/systemctl ${verb} ${unit}`),
      ),
      "jetson-bridge ALL=(root) NOPASSWD: /usr/bin/node /opt/jetson-bridge/jetson-bridge.mjs privileged /usr/bin/apt-get",
    ]);
    expect(text).not.toMatch(/systemctl$|env_keep/m);
  });

  it("names nvfancontrol's stop and start, rm of its status file and sed as the helper, only on a board with nvfancontrol", () => {
    const located = [
      { program: "systemctl", path: "/usr/bin/systemctl" },
      { program: "sed", path: "/usr/bin/sed" },
      { program: "rm", path: "/usr/bin/rm" },
    ];
    const helper = { node: "/usr/bin/node", script: "/opt/jetson-bridge/jetson-bridge.mjs" };
    const rules = (nvfancontrol: boolean) =>
      renderSudoers("jetson-bridge", sudoersEntries(located, { services: { allow: [] }, powerModes: [], nvfancontrol }, helper))
        .split("\n")
        .filter((line) => line.startsWith("jetson-bridge "))
        .map((line) => line.replace("jetson-bridge ALL=(root) NOPASSWD: ", ""));
    expect(rules(true)).toEqual([
      "/usr/bin/systemctl reboot",
      "/usr/bin/systemctl poweroff",
      "/usr/bin/systemctl stop nvfancontrol.service",
      "/usr/bin/systemctl start nvfancontrol.service",
      "/usr/bin/node /opt/jetson-bridge/jetson-bridge.mjs privileged /usr/bin/sed",
      "/usr/bin/rm -f /var/lib/nvfancontrol/status",
    ]);
    expect(rules(false)).toEqual([
      "/usr/bin/systemctl reboot",
      "/usr/bin/systemctl poweroff",
      "/usr/bin/node /opt/jetson-bridge/jetson-bridge.mjs privileged /usr/bin/sed",
    ]);
  });

  it("asks of every file the sudoers file has root run, each program and the helper's Node and script, whether only root can change it, and writes nothing when one fails", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "sudo-"));
    const systemctl = await program(dir, "systemctl", "exit 0");
    const aptGet = await program(dir, "apt-get", "exit 0");
    const host = new NodeHost({ root: dir, programDirs: [dir], defaultTimeoutMs: 5_000, defaultMaxOutputBytes: 10_000 });
    const helper = { node: "/usr/bin/node", script: "/opt/jetson-bridge/jetson-bridge.mjs" };
    const config = { services: { allow: [] }, sudo: { programs: ["systemctl", "apt-get"] } };
    const asked: string[] = [];
    const text = await machineSudoers(host, "jetson-bridge", config, helper, async (file) => {
      asked.push(file);
      return undefined;
    });
    expect(asked).toEqual([systemctl, aptGet, helper.node, helper.script]);
    expect(text).toContain(`NOPASSWD: ${systemctl} reboot\n`);
    await expect(machineSudoers(host, "jetson-bridge", config, helper, async (file) => (file === aptGet ? `${dir} belongs to uid 1001, not root` : undefined))).rejects.toThrow(
      `sudo would run ${aptGet} as root (apt-get), but ${dir} belongs to uid 1001, not root. List in programDirs only folders that root alone may change.`,
    );
    await expect(machineSudoers(host, "jetson-bridge", config, helper, async (file) => (file === helper.script ? "it is not root's" : undefined))).rejects.toThrow(
      `sudo would run ${helper.script} as root (the helper for apt-get), but it is not root's.`,
    );
  });

  it("escapes sudoers' special characters in arguments and refuses spaces and wildcards", () => {
    const escaped = renderSudoers("b", [{ program: "systemctl", commands: [["/usr/bin/systemctl", "start", "systemd-fsck@dev-disk-by\\x2duuid:1.service"]] }]);
    expect(escaped).toContain("NOPASSWD: /usr/bin/systemctl start systemd-fsck@dev-disk-by\\\\x2duuid\\:1.service\n");
    for (const bad of ["a b", "*", "x?", "ALL, /bin/sh"]) {
      expect(() => renderSudoers("b", [{ program: "systemctl", commands: [["/usr/bin/systemctl", "start", bad]] }])).toThrow(/Not a plain command argument/);
    }
  });
});
