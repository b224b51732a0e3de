import { describe, expect, it } from "vitest";
import { runProgram, tempJetson } from "./testing.js";

// What makes a real apt-get block or abort when nobody answers: its own question and debconf's.
describe("the apt-get stand-in", () => {
  it("asks before changing anything without -y, and end of input aborts", async () => {
    const sim = await tempJetson("orin-nano-super-jp6");
    try {
      const result = await runProgram(sim, "apt-get", ["install", "tmux"]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/Do you want to continue\? \[Y\/n\] Abort\.\n$/);
      expect((await runProgram(sim, "dpkg-query", ["-W", "tmux"])).code).toBe(1);
    } finally {
      await sim.remove();
    }
  });

  it("waits on a debconf question unless DEBIAN_FRONTEND is noninteractive", async () => {
    const sim = await tempJetson("orin-nano-super-jp6");
    // The stand-in inherits this process's environment, which may already say noninteractive.
    const frontend = process.env.DEBIAN_FRONTEND;
    delete process.env.DEBIAN_FRONTEND;
    try {
      // runProgram closes standard input: the question gets end of input and dpkg fails, as it would.
      const asked = await runProgram(sim, "apt-get", ["-y", "install", "iperf3"]);
      expect(asked.stdout).toMatch(/Start Iperf3 as a daemon automatically\? \[yes\/no\] $/);
      expect(asked.stderr).toMatch(/E: Sub-process \/usr\/bin\/dpkg returned an error code \(1\)/);
      expect(asked.code).toBe(100);
      expect((await runProgram(sim, "dpkg-query", ["-W", "--showformat=${db:Status-Abbrev}", "iperf3"])).stdout).toBe("iF ");
    } finally {
      if (frontend !== undefined) process.env.DEBIAN_FRONTEND = frontend;
      await sim.remove();
    }
  });

  it("refuses unknown packages and versions the lists do not have", async () => {
    const sim = await tempJetson("agx-orin-jp6");
    try {
      expect(await runProgram(sim, "apt-get", ["-y", "install", "nosuch"])).toMatchObject({ code: 100, stderr: "E: Unable to locate package nosuch\n" });
      expect(await runProgram(sim, "apt-get", ["-y", "install", "htop=1.0"])).toMatchObject({ code: 100, stderr: "E: Version '1.0' for 'htop' was not found\n" });
    } finally {
      await sim.remove();
    }
  });
});
