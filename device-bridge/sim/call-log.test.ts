import { chmod, stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSim, runProgram, tempJetson } from "./testing.js";

const CALL_LOG = "/var/log/sim-calls.log";

describe("the call log of the stand-ins", () => {
  let sim: Awaited<ReturnType<typeof tempJetson>>;
  beforeAll(async () => {
    sim = await tempJetson("xavier-nx-jp51");
  });
  afterAll(() => sim.remove());

  it("records each run with its arguments", async () => {
    await runProgram(sim, "uname", ["-m"]);
    await runProgram(sim, "id", ["-u", "nvidia"]);
    const lines = (await readSim(sim, CALL_LOG)).trim().split("\n").map((l) => JSON.parse(l) as { program: string; argv: string[] });
    expect(lines.slice(-2).map(({ program, argv }) => ({ program, argv }))).toEqual([
      { program: "uname", argv: ["-m"] },
      { program: "id", argv: ["-u", "nvidia"] },
    ]);
  });

  it.skipIf(process.getuid?.() !== 0)("does not stop a login that cannot write it (a root-owned tree, a user login)", async () => {
    await chmod(sim.root, 0o755);
    const before = await readSim(sim, CALL_LOG);
    expect(((await stat(path.join(sim.root, CALL_LOG))).mode & 0o777).toString(8)).toBe("644");
    expect(await runProgram(sim, "uname", ["-n"], "", { uid: 65534, gid: 65534 })).toEqual({ code: 0, stdout: "xavier-nx-jp51-test\n", stderr: "" });
    expect(await readSim(sim, CALL_LOG)).toBe(before);
  });
});
