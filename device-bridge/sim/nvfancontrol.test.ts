import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProgramResult, runProgram, tempJetson } from "./testing.js";

let sim: Awaited<ReturnType<typeof tempJetson>>;
beforeAll(async () => {
  sim = await tempJetson("xavier-nx-jp51");
});
afterAll(() => sim?.remove());

const read = (file: string) => readFile(path.join(sim.root, file), "utf8");
const ok = (result: ProgramResult) => expect(result, result.stderr).toMatchObject({ code: 0 });

describe("nvfancontrol, sed and rm on a simulated JetPack 5 board", () => {
  it("has nvfancontrol running from boot, its status file naming the configuration's defaults", async () => {
    expect((await runProgram(sim, "systemctl", ["is-active", "nvfancontrol.service"])).stdout).toBe("active\n");
    expect(await read("var/lib/nvfancontrol/status")).toBe("FAN1:FAN_PROFILE:quiet\nFAN1:FAN_GOVERNOR:cont\nFAN1:FAN_CONTROL:close_loop\n");
  });

  it("edits a file in place with sed -i -E, and starts nvfancontrol on the new default once its status file is gone", async () => {
    ok(await runProgram(sim, "systemctl", ["stop", "nvfancontrol.service"]));
    ok(await runProgram(sim, "sed", ["-i", "-E", "-e", "s/^([[:space:]]*FAN_DEFAULT_PROFILE[[:space:]]+)[^[:space:]]+/\\1cool/", "/etc/nvfancontrol.conf"]));
    expect(await read("etc/nvfancontrol.conf")).toMatch(/^\tFAN_DEFAULT_PROFILE cool$/m);
    ok(await runProgram(sim, "rm", ["-f", "/var/lib/nvfancontrol/status"]));
    ok(await runProgram(sim, "systemctl", ["start", "nvfancontrol.service"]));
    expect(await read("var/lib/nvfancontrol/status")).toMatch(/^FAN1:FAN_PROFILE:cool$/m);
  });

  it("answers as coreutils and sed do for a file that is not there", async () => {
    ok(await runProgram(sim, "rm", ["-f", "/tmp/absent"]));
    expect(await runProgram(sim, "rm", ["/tmp/absent"])).toEqual({ code: 1, stdout: "", stderr: "rm: cannot remove '/tmp/absent': No such file or directory\n" });
    expect(await runProgram(sim, "sed", ["-i", "-E", "-e", "s/a/b/", "/tmp/absent"])).toEqual({ code: 2, stdout: "", stderr: "sed: can't read /tmp/absent: No such file or directory\n" });
  });
});
