import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProgram, tempJetson } from "./testing.js";

type Sim = Awaited<ReturnType<typeof tempJetson>>;
let sim: Sim;

beforeAll(async () => {
  sim = await tempJetson("xavier-nx-jp51");
  await mkdir(path.join(sim.root, "etc/sudoers.d"), { recursive: true });
});

afterAll(() => sim?.remove());

const rules = (text: string) => writeFile(path.join(sim.root, "etc/sudoers.d/test"), text);

describe("the sudo stand-in", () => {
  it("runs a command the sudoers files allow without a password, with its exit code", async () => {
    await rules("root ALL=(ALL) NOPASSWD: ALL\n");
    expect(await runProgram(sim, "sudo", ["-n", "--", path.join(sim.binDir, "uname"), "-m"])).toEqual({ code: 0, stdout: "aarch64\n", stderr: "" });
    expect((await runProgram(sim, "sudo", ["-n", "true"])).code).toBe(0);
    expect((await runProgram(sim, "sudo", ["-n", "false"])).code).toBe(1);
  });

  it("allows exactly the command lines a rule names", async () => {
    const uname = path.join(sim.binDir, "uname");
    await rules(`root ALL=(root) NOPASSWD: ${uname} -m\n`);
    expect((await runProgram(sim, "sudo", ["-n", "--", uname, "-m"])).stdout).toBe("aarch64\n");
    expect(await runProgram(sim, "sudo", ["-n", "--", uname, "-a"])).toEqual({ code: 1, stdout: "", stderr: "sudo: a password is required\n" });
  });

  it("asks for a password (and, with -n, refuses) when no rule names the user, and ignores files sudo skips", async () => {
    await rules("nvidia ALL=(ALL) NOPASSWD: ALL\n");
    await writeFile(path.join(sim.root, "etc/sudoers.d/skipped.new"), "root ALL=(ALL) NOPASSWD: ALL\n");
    expect(await runProgram(sim, "sudo", ["-n", "true"])).toEqual({ code: 1, stdout: "", stderr: "sudo: a password is required\n" });
  });
});
