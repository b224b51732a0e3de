import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderSudoers, sudoersEntries } from "../src/host/privileged.js";
import { runProgram, tempJetson } from "./testing.js";

type Sim = Awaited<ReturnType<typeof tempJetson>>;

const PROGRAMS = ["nvpmodel", "jetson_clocks", "systemctl", "apt-get", "kill"];
const generated = renderSudoers(
  "jetson-bridge",
  sudoersEntries(
    PROGRAMS.map((program) => ({ program, path: `/usr/bin/${program}` })),
    { services: { allow: ["nginx.service", "docker", "camera-pipeline@front.service"] }, powerModes: [0, 1, 2], nvfancontrol: true },
    { node: "/usr/bin/node", script: "/opt/jetson-bridge/jetson-bridge.mjs" },
  ),
);

// Ubuntu's own /etc/sudoers and what sites commonly add to it.
const COMMON = `#
# This file MUST be edited with the 'visudo' command as root.
#
Defaults\tenv_reset
Defaults\tmail_badpass
Defaults\tsecure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/snap/bin"
Defaults    env_keep += "LANG LC_ALL", timestamp_timeout=15, !lecture
Defaults:%sudo !requiretty

Cmnd_Alias REBOOT = /sbin/reboot, \\
                    /sbin/shutdown -h now
root\tALL=(ALL:ALL) ALL
%admin ALL=(ALL) ALL
%sudo\tALL=(ALL:ALL) ALL
ops ALL = (root) NOPASSWD: SETENV: REBOOT, /usr/bin/printf a\\,b\\:c\\=d, !/usr/bin/su  # no su
@includedir /etc/sudoers.d
#includedir /etc/sudoers.d
`;

const BAD = "# one comment\nDefaults env_reset\njetson-bridge ALL=(root) NOPASSWD /usr/bin/nvpmodel\n";

describe("the visudo stand-in", () => {
  let orin: Sim;
  let xavier: Sim;
  beforeAll(async () => {
    [orin, xavier] = await Promise.all([tempJetson("agx-orin-jp6"), tempJetson("xavier-nx-jp51")]);
  });
  afterAll(() => Promise.all([orin.remove(), xavier.remove()]));

  it("passes the sudoers file the bridge generates, in each way of asking", async () => {
    // The forms a generated file uses: escaped arguments, "" for no arguments, the helper's line.
    expect(generated).toContain('NOPASSWD: /usr/bin/jetson_clocks ""\n');
    expect(generated).toContain("NOPASSWD: /usr/bin/node /opt/jetson-bridge/jetson-bridge.mjs privileged /usr/bin/apt-get\n");
    for (const args of [["-c", "-f", "-"], ["-cf", "-"], ["--check", "--file=-"]]) {
      expect(await runProgram(orin, "visudo", args, generated)).toEqual({ code: 0, stdout: "stdin: parsed OK\n", stderr: "" });
    }
    expect(await runProgram(orin, "visudo", ["-c", "-q", "-f", "-"], generated)).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(await runProgram(xavier, "visudo", ["-cf", "-"], COMMON)).toEqual({ code: 0, stdout: "stdin: parsed OK\n", stderr: "" });
  });

  it("checks a file of the board by its machine path", async () => {
    await writeFile(path.join(orin.root, "etc/bridge-sudoers"), generated);
    expect(await runProgram(orin, "visudo", ["-c", "-f", "/etc/bridge-sudoers"])).toEqual({ code: 0, stdout: "/etc/bridge-sudoers: parsed OK\n", stderr: "" });
    expect(await runProgram(orin, "visudo", ["-c", "-f", "/etc/nosuchfile"])).toEqual({ code: 1, stdout: "", stderr: "visudo: unable to open /etc/nosuchfile: No such file or directory\n" });
  });

  it("reports a syntax error as sudo 1.9 does on JetPack 6: line, column and the token marked", async () => {
    expect(await runProgram(orin, "visudo", ["-c", "-f", "-"], BAD)).toEqual({
      code: 1,
      stdout: "",
      stderr: "stdin:3:35: syntax error\njetson-bridge ALL=(root) NOPASSWD /usr/bin/nvpmodel\n                                  ^~~~~~~~~~~~~~~~~\n",
    });
    expect(await runProgram(orin, "visudo", ["-c", "-q", "-f", "-"], BAD)).toEqual({ code: 1, stdout: "", stderr: "" });
    for (const line of ["jetson-bridge ALL=(root) NOPASSWD: nvpmodel", "jetson-bridge ALL", "Defaults env_keep += \"X", "u ALL=(root) /usr/bin/x a=b", "u ALL=(root /usr/bin/x"]) {
      expect((await runProgram(orin, "visudo", ["-cf", "-"], `${line}\n`)).code, line).toBe(1);
    }
  });

  it("reports a syntax error as sudo 1.8 does on JetPack 5: the line only", async () => {
    expect(await runProgram(xavier, "visudo", ["-cf", "-"], BAD)).toEqual({
      code: 1,
      stdout: "parse error in stdin near line 3\n",
      stderr: ">>> stdin: syntax error near line 3 <<<\n",
    });
  });
});
