import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIM_BOARD_IDS } from "./boards.js";
import type { SimBoardId } from "./types.js";
import { runProgram, tempJetson } from "./testing.js";

// L4T's kernel by JetPack: 4.9 on JetPack 4, 5.10 on JetPack 5, 5.15 on JetPack 6, 6.8 on JetPack 7.
const KERNEL: Record<SimBoardId, RegExp> = {
  "nano-jp46": /^4\.9\.\d+-tegra$/,
  "xavier-nx-jp51": /^5\.10\.\d+-tegra$/,
  "agx-xavier-jp51": /^5\.10\.\d+-tegra$/,
  "orin-nx-16gb-super-jp62": /^5\.15\.\d+-tegra$/,
  "agx-thor-jp7": /^6\.8\.\d+-tegra$/,
  "agx-orin-jp6": /^5\.15\.\d+-tegra$/,
  "orin-nano-super-jp6": /^5\.15\.\d+-tegra$/,
};

describe.each(SIM_BOARD_IDS)("the uname stand-in: %s", (id) => {
  let sim: Awaited<ReturnType<typeof tempJetson>>;
  beforeAll(async () => {
    sim = await tempJetson(id);
  });
  afterAll(() => sim.remove());
  const uname = async (...args: string[]) => runProgram(sim, "uname", args);

  it("names the kernel, host, release and machine of the board", async () => {
    expect(await uname()).toEqual({ code: 0, stdout: "Linux\n", stderr: "" });
    expect((await uname("-s")).stdout).toBe("Linux\n");
    expect((await uname("-n")).stdout).toBe(`${id}-test\n`);
    expect((await uname("-r")).stdout.trim()).toMatch(KERNEL[id]);
    expect((await uname("-m")).stdout).toBe("aarch64\n");
    // In uname's own order, whatever the order asked.
    expect((await uname("-ms")).stdout).toBe("Linux aarch64\n");
    expect((await uname("--machine", "--kernel-name")).stdout).toBe("Linux aarch64\n");
  });

  it("prints everything with -a as Ubuntu's coreutils does", async () => {
    const release = (await uname("-r")).stdout.trim();
    expect((await uname("-a")).stdout).toMatch(new RegExp(`^Linux ${id}-test ${release.replace(/\./g, "\\.")} #1 SMP PREEMPT \\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d UTC \\d{4} aarch64 aarch64 aarch64 GNU/Linux\\n$`));
  });

  it("refuses an unknown option or an operand", async () => {
    expect(await uname("-x")).toEqual({ code: 1, stdout: "", stderr: "uname: invalid option -- 'x'\nTry 'uname --help' for more information.\n" });
    expect(await uname("now")).toEqual({ code: 1, stdout: "", stderr: "uname: extra operand ‘now’\nTry 'uname --help' for more information.\n" });
  });
});
