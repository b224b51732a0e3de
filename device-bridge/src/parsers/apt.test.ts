import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { aptProblems, parseAptPolicyNames, parseAptStatus, parseAptSummary, parseAptUpgradable } from "./apt.js";

const run = promisify(execFile);
const hasApt = await run("apt-cache", ["--version"]).then(
  () => true,
  () => false,
);

describe("apt list --upgradable", () => {
  it("reads name, suites, candidate, architecture and installed version", () => {
    const text = [
      "Listing...",
      "libssl3/jammy-updates,jammy-security 3.0.2-0ubuntu1.15 arm64 [upgradable from: 3.0.2-0ubuntu1.14]",
      "nvidia-container-toolkit/stable 1.17.3-1 arm64 [upgradable from: 1.16.2-1]",
      "",
    ].join("\n");
    expect(parseAptUpgradable(text)).toEqual([
      { name: "libssl3", origins: ["jammy-updates", "jammy-security"], candidateVersion: "3.0.2-0ubuntu1.15", architecture: "arm64", installedVersion: "3.0.2-0ubuntu1.14" },
      { name: "nvidia-container-toolkit", origins: ["stable"], candidateVersion: "1.17.3-1", architecture: "arm64", installedVersion: "1.16.2-1" },
    ]);
    expect(parseAptUpgradable("Listing...\n")).toEqual([]);
  });
});

describe("APT::Status-Fd lines", () => {
  it("reads download and package manager progress", () => {
    expect(parseAptStatus("dlstatus:1:9.05654:Downloading file 1 of 3 (4m40s remaining)")).toEqual({
      kind: "dlstatus",
      subject: "1",
      percent: 9.05654,
      message: "Downloading file 1 of 3 (4m40s remaining)",
    });
    expect(parseAptStatus("pmstatus:htop:40:Unpacking htop (arm64)")).toEqual({ kind: "pmstatus", subject: "htop", percent: 40, message: "Unpacking htop (arm64)" });
    expect(parseAptStatus("pmstatus:libc6:arm64:16.6667:Preparing libc6:arm64")).toMatchObject({ subject: "libc6:arm64", percent: 16.6667, message: "Preparing libc6:arm64" });
    expect(parseAptStatus("pmstatus:dpkg-exec:0:Running dpkg")).toMatchObject({ subject: "dpkg-exec", percent: 0 });
  });

  it("ignores apt's ordinary output", () => {
    for (const line of ["Reading package lists...", "Get:1 http://ports.ubuntu.com/ubuntu-ports jammy/main arm64 htop arm64 3.0.5-7build2 [128 kB]", "E: Unable to locate package nosuch", "status:x:y"]) {
      expect(parseAptStatus(line)).toBeUndefined();
    }
  });
});

describe("apt-get summaries and problems", () => {
  it("reads the summary line", () => {
    expect(parseAptSummary("The following NEW packages will be installed:\n  htop\n0 upgraded, 1 newly installed, 0 to remove and 3 not upgraded.\nNeed to get 128 kB of archives.\n")).toEqual({
      upgraded: 0,
      newlyInstalled: 1,
      removed: 0,
      notUpgraded: 3,
    });
    expect(parseAptSummary("Reading package lists...\n")).toBeUndefined();
  });

  it("collects W:, E: and Err: lines", () => {
    const text = [
      "Hit:1 http://ports.ubuntu.com/ubuntu-ports jammy InRelease",
      "Err:2 https://repo.download.nvidia.com/jetson/common r36.4 InRelease",
      "  Could not resolve 'repo.download.nvidia.com'",
      "W: Failed to fetch https://repo.download.nvidia.com/jetson/common/dists/r36.4/InRelease  Could not resolve 'repo.download.nvidia.com'",
      "W: Some index files failed to download. They have been ignored, or old ones used instead.",
    ].join("\n");
    expect(aptProblems(text)).toHaveLength(3);
    expect(aptProblems(text)[0]).toMatch(/^Err:2 /);
  });
});

describe.skipIf(!hasApt)("apt-cache policy on this machine (Debian's own apt; skipped where there is none)", () => {
  it("names the packages apt takes each name for: a dotted package's own name, and a regular expression's matches but never the expression", async () => {
    const installed = (await run("dpkg-query", ["-W", "-f=${Package}\n"])).stdout.split("\n");
    const dotted = installed.find((name) => name.includes(".")) ?? "";
    expect(dotted).not.toBe("");
    const names = parseAptPolicyNames((await run("apt-cache", ["policy", "--", dotted, "openssh.client"])).stdout);
    expect(names).toContain(dotted);
    expect(names).toContain("openssh-client");
    expect(names).not.toContain("openssh.client");
  });
});
