import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readSim, runProgram, tempJetson } from "./testing.js";

let sim: Awaited<ReturnType<typeof tempJetson>>;
beforeEach(async () => {
  sim = await tempJetson("orin-nano-super-jp6");
});
afterEach(() => sim.remove());

const mode = async (machinePath: string) => ((await stat(path.join(sim.root, machinePath))).mode & 0o7777).toString(8);

describe("the install stand-in", () => {
  it("installs standard input with -D, the mode set, the folders made, and the file replaced whole", async () => {
    const args = ["-D", "-m", "0600", "-o", "nvidia", "-g", "video", "/dev/stdin", "/etc/jetson-bridge/config.json"];
    expect(await runProgram(sim, "install", args, '{"token":"a"}\n')).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(await readSim(sim, "/etc/jetson-bridge/config.json")).toBe('{"token":"a"}\n');
    expect(await mode("/etc/jetson-bridge/config.json")).toBe("600");
    await runProgram(sim, "install", ["-Dm440", "/dev/stdin", "/etc/jetson-bridge/config.json"], '{"token":"b"}\n');
    expect(await readSim(sim, "/etc/jetson-bridge/config.json")).toBe('{"token":"b"}\n');
    expect(await mode("/etc/jetson-bridge/config.json")).toBe("440");
    // Written aside and renamed: nothing is left beside it.
    expect(await readdir(path.join(sim.root, "etc/jetson-bridge"))).toEqual(["config.json"]);
  });

  it("copies a file of the board, 0755 by default, into a folder too", async () => {
    await runProgram(sim, "install", ["-d", "-m", "750", "/opt/app"]);
    expect(await mode("/opt/app")).toBe("750");
    expect(await runProgram(sim, "install", ["/etc/hostname", "/opt/app/name"])).toMatchObject({ code: 0 });
    expect(await readSim(sim, "/opt/app/name")).toBe("orin-nano-super-jp6-test\n");
    expect(await mode("/opt/app/name")).toBe("755");
    await runProgram(sim, "install", ["-m", "644", "/etc/hostname", "/opt/app"]);
    expect(await mode("/opt/app/hostname")).toBe("644");
  });

  it("fails as coreutils does: no folder without -D, unknown owner or group, missing source", async () => {
    expect(await runProgram(sim, "install", ["-m", "644", "/dev/stdin", "/nosuch/dir/file"], "x")).toEqual({
      code: 1,
      stdout: "",
      stderr: "install: cannot create regular file '/nosuch/dir/file': No such file or directory\n",
    });
    expect(await runProgram(sim, "install", ["-D", "-o", "jetson-bridge", "/dev/stdin", "/etc/x"], "x")).toEqual({ code: 1, stdout: "", stderr: "install: invalid user ‘jetson-bridge’\n" });
    expect(await runProgram(sim, "install", ["-D", "-g", "nosuchgroup", "/dev/stdin", "/etc/x"], "x")).toEqual({ code: 1, stdout: "", stderr: "install: invalid group ‘nosuchgroup’\n" });
    expect(await runProgram(sim, "install", ["/etc/nosuchfile", "/etc/x"])).toEqual({ code: 1, stdout: "", stderr: "install: cannot stat '/etc/nosuchfile': No such file or directory\n" });
    await expect(stat(path.join(sim.root, "etc/x"))).rejects.toThrow(/ENOENT/);
  });

  it("accepts an owner the board gained since (useradd)", async () => {
    await runProgram(sim, "useradd", ["--system", "jetson-bridge"]);
    expect(await runProgram(sim, "install", ["-D", "-o", "jetson-bridge", "-g", "jetson-bridge", "/dev/stdin", "/etc/x"], "x")).toMatchObject({ code: 0 });
  });
});

describe("the cat stand-in", () => {
  it("prints the board's files, and reports one that is missing", async () => {
    expect(await runProgram(sim, "cat", ["/etc/hostname"])).toEqual({ code: 0, stdout: "orin-nano-super-jp6-test\n", stderr: "" });
    expect(await runProgram(sim, "cat", ["/etc/hostname", "/etc/nosuchfile", "/proc/sys/kernel/osrelease"])).toEqual({
      code: 1,
      stdout: `orin-nano-super-jp6-test\n${await readSim(sim, "/proc/sys/kernel/osrelease")}`,
      stderr: "cat: /etc/nosuchfile: No such file or directory\n",
    });
    expect(await runProgram(sim, "cat", ["/etc"])).toEqual({ code: 1, stdout: "", stderr: "cat: /etc: Is a directory\n" });
    expect(await runProgram(sim, "cat", [], "from stdin")).toEqual({ code: 0, stdout: "from stdin", stderr: "" });
  });
});
