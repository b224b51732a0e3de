import { execFile } from "node:child_process";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { findAction } from "@jetson/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { NodeHost } from "../host/node-host.js";
import { createWorkloads } from "../workloads.js";
import { handlers } from "./index.js";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";
import type { ActionContext } from "./types.js";

const aptCache = "/usr/bin/apt-cache";
const hasApt = await promisify(execFile)(aptCache, ["--version"]).then(
  () => true,
  () => false,
);

describe("packages on a simulated Orin Nano (JetPack 6)", () => {
  let board: SimulatedBoard;
  afterEach(() => board.remove());

  it("finds installed packages by part of their name or a pattern", async () => {
    board = await simulatedBoard("orin-nano-super-jp6");
    const l4t = await board.run("packages.list", { match: "nvidia-l4t-*" });
    expect(l4t.packages.map((p) => p.name)).toEqual(["nvidia-l4t-camera", "nvidia-l4t-core", "nvidia-l4t-kernel"]);
    expect(l4t.packages[1]).toMatchObject({ version: expect.stringMatching(/^36\.4\.\d+-\d{14}$/), architecture: "arm64", status: "installed", summary: "NVIDIA Core Package" });
    expect((await board.run("packages.list", { match: "opencv" })).packages.map((p) => p.name)).toEqual(["libopencv", "libopencv-dev"]);
    expect(await board.run("packages.list", { match: "nosuch" })).toEqual({ packages: [], truncated: false });
    expect(await board.run("packages.list", { match: "*", limit: 3 })).toMatchObject({ truncated: true, packages: [{}, {}, {}] });
  });

  it("lists upgradable packages, more after a refresh", async () => {
    board = await simulatedBoard("orin-nano-super-jp6");
    const before = await board.run("packages.upgradable", {});
    expect(before.packages.find((p) => p.name === "libssl3")).toEqual({
      name: "libssl3",
      installedVersion: "3.0.2-0ubuntu1.14",
      candidateVersion: "3.0.2-0ubuntu1.15",
      architecture: "arm64",
      origins: ["jammy-updates", "jammy-security"],
    });
    const refresh = await board.run("packages.refresh", { tailLines: 3 });
    expect(refresh).toEqual({ warnings: [], outputTail: ["Hit:6 https://repo.download.nvidia.com/jetson/t234 r36.4 InRelease", "Fetched 257 kB in 2s (128 kB/s)", "Reading package lists..."] });
    expect(board.progress[0]).toEqual({ done: 0, total: 100, message: "Retrieving file 1 of 6" });
    // apt's last status line is at 100 % already; when it came too soon after the one before to be sent, "Done" brings the 100 %.
    expect(board.progress.at(-1)).toEqual({ done: 100, total: 100, message: expect.stringMatching(/^(Done|Retrieving file 6 of 6)$/) });
    const after = await board.run("packages.upgradable", {});
    expect(after.packages.map((p) => p.name)).toEqual([...before.packages.map((p) => p.name), "curl", "libcurl4"].sort());
  });

  it("stops apt-get when the command is cancelled, and the package is not installed", async () => {
    board = await simulatedBoard("orin-nano-super-jp6");
    const install = board.run("packages.install", { names: ["htop"] });
    const outcome = install.then(() => "finished", (error: Error) => error.message);
    while (board.progress.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    board.cancel();
    expect(await outcome).toMatch(/^apt-get failed/);
    expect((await board.run("packages.list", { match: "htop" })).packages).toEqual([]);
  });

  it("installs with progress, never prompting, and the package shows up in dpkg", async () => {
    board = await simulatedBoard("orin-nano-super-jp6");
    const result = await board.run("packages.install", { names: ["htop"], tailLines: 2 });
    expect(result).toEqual({
      summary: { upgraded: 0, newlyInstalled: 2, removed: 0, notUpgraded: 4 },
      packages: [{ name: "htop", installed: true, version: "3.0.5-7build2" }],
      warnings: [],
      outputTail: ["Setting up libnl-genl-3-200 (3.5.0-0.1) ...", "Processing triggers for man-db (2.10.2-1) ..."],
    });
    const done = board.progress.map((p) => p.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(board.progress[0]).toMatchObject({ done: 0, total: 100, message: "Retrieving file 1 of 2" });
    expect(board.progress.at(-1)).toMatchObject({ done: 100, total: 100 });
    // Between them, apt's own status lines: which ones depends on when they came (at most one each 200 ms).
    const aptStatus = /^(Retrieving file [12] of 2|Running dpkg|(Preparing|Unpacking|Preparing to configure|Configuring|Installed) (htop|libnl-genl-3-200) \(arm64\))$/;
    for (const { message } of board.progress.slice(0, -1)) expect(message).toMatch(aptStatus);
    const install = (await board.calls()).find((c) => c.program === "apt-get");
    expect(install?.argv).toEqual([
      "-y", "-q",
      "-o", "APT::Status-Fd=1",
      "-o", "Dpkg::Options::=--force-confdef",
      "-o", "Dpkg::Options::=--force-confold",
      "-o", "Dpkg::Use-Pty=0",
      "-o", "DPkg::Lock::Timeout=120",
      "install", "--no-remove", "--", "htop",
    ]);
    expect((await board.run("packages.list", { match: "htop" })).packages).toMatchObject([{ name: "htop", status: "installed" }]);
  });

  it("answers a debconf question by itself (DEBIAN_FRONTEND=noninteractive)", async () => {
    board = await simulatedBoard("orin-nano-super-jp6");
    const result = await board.run("packages.install", { names: ["iperf3"], tailLines: 0 });
    expect(result.packages).toEqual([{ name: "iperf3", installed: true, version: "3.9-1" }]);
    expect(result.outputTail).toEqual([]);
  });

  it("removes and upgrades named packages", async () => {
    board = await simulatedBoard("orin-nano-super-jp6");
    const removed = await board.run("packages.remove", { names: ["nginx"], tailLines: 20 });
    expect(removed.packages).toEqual([{ name: "nginx", installed: false, version: undefined }]);
    expect(removed.summary).toMatchObject({ removed: 1 });
    expect((await board.run("packages.list", { match: "nginx" })).packages).toEqual([]);
    const upgraded = await board.run("packages.upgrade", { names: ["openssl", "tmux"], tailLines: 20 });
    expect(upgraded.packages).toEqual([
      { name: "openssl", installed: true, version: "3.0.2-0ubuntu1.15" },
      { name: "tmux", installed: false, version: undefined },
    ]);
    expect(upgraded.summary).toEqual({ upgraded: 2, newlyInstalled: 0, removed: 0, notUpgraded: 2 });
    expect(upgraded.outputTail).toContain("Skipping tmux, it is not installed and only upgrades are requested.");
  });

  it("says what apt-get could not do", async () => {
    board = await simulatedBoard("orin-nano-super-jp6");
    await expect(board.run("packages.install", { names: ["nosuch-package"], tailLines: 20 })).rejects.toMatchObject({
      code: "invalid_input",
      message: "apt-get failed: There is no package nosuch-package in the package lists: check the name, or refresh the lists (packages_refresh).",
    });
    await expect(board.run("packages.install", { names: ["htop=9.9"], tailLines: 20 })).rejects.toMatchObject({ code: "invalid_input", message: expect.stringMatching(/Version 9.9 of htop/) });
  });

  it("acts only on packages named exactly: a name apt-get would take for a regular expression is refused before it runs", async () => {
    board = await simulatedBoard("orin-nano-super-jp6");
    // apt-get would read "nvidia.l4t-core" as a pattern: nvidia-l4t-core, and with it every package that depends on it.
    for (const names of [["nvidia.l4t-core"], ["htop", "nvidia.l4t-camera"]]) {
      await expect(board.run("packages.remove", { names, tailLines: 20 }), names.join()).rejects.toMatchObject({
        code: "invalid_input",
        message: expect.stringMatching(/^No package is named exactly nvidia\.l4t.*: apt-get would read it as a regular expression/),
      });
    }
    await expect(board.run("packages.install", { names: ["python3.1"], tailLines: 20 })).rejects.toMatchObject({ code: "invalid_input" });
    expect((await board.calls()).map((call) => call.program)).not.toContain("apt-get");
    expect((await board.run("packages.list", { match: "nvidia-l4t-core" })).packages).toHaveLength(1);
    // A package whose own name has a dot is itself.
    const upgraded = await board.run("packages.upgrade", { names: ["python3.10"], tailLines: 20 });
    expect(upgraded.packages).toEqual([{ name: "python3.10", installed: true, version: "3.10.12-1~22.04.9" }]);
  });

  it("refuses a + anywhere or a last - unless a package has exactly that name: apt-get would read it as a pattern or as install or remove", async () => {
    board = await simulatedBoard("orin-nano-super-jp6");
    // Debian's apt-get -s: "remove -- openssh-clien+t" removes openssh-client, -server and -sftp-server; "remove -- htop+" installs htop.
    for (const [action, names] of [
      ["packages.remove", ["nvidia-l4t-cor+e"]],
      ["packages.remove", ["htop+"]],
      ["packages.remove", ["htop", "nvidia-l4t-core-"]],
      ["packages.install", ["htop+"]],
      ["packages.upgrade", ["libssl3-"]],
    ] as const) {
      await expect(board.run(action, { names: [...names], tailLines: 20 }), `${action} ${names.join()}`).rejects.toMatchObject({
        code: "invalid_input",
        message: expect.stringMatching(/^No package is named exactly (nvidia-l4t-cor\+e|htop\+|nvidia-l4t-core-|libssl3-): /),
      });
    }
    expect((await board.calls()).map((call) => call.program)).not.toContain("apt-get");
    expect((await board.run("packages.list", { match: "nvidia-l4t-core" })).packages).toHaveLength(1);
    expect((await board.run("packages.list", { match: "htop" })).packages).toEqual([]);
  });

  it("refuses packages outside packages.allow, and invalid names, before running anything", async () => {
    board = await simulatedBoard("orin-nano-super-jp6", undefined, { packages: { allow: ["htop"] } });
    await expect(board.run("packages.install", { names: ["htop", "tmux"], tailLines: 20 })).rejects.toMatchObject({
      code: "permission_denied",
      message: "Not in this device's packages.allow list: tmux. Allowed: htop. To allow them, add them to packages.allow in the bridge configuration.",
    });
    await expect(board.run("packages.remove", { names: ["vim; reboot"], tailLines: 20 })).rejects.toThrow(/Debian package name/);
    expect(await board.calls()).toEqual([]);
  });
});

describe.skipIf(!hasApt)("package names checked with this machine's own apt-cache (Debian's apt; skipped where there is none)", () => {
  it("passes a name with + that is a package's own (g++, libstdc++6) to apt-get, and refuses one apt-get would read as a pattern", async () => {
    // A folder with apt-cache alone: a name that passes the check reaches apt-get, which is not there, so nothing is ever installed or removed.
    const dir = await mkdtemp(path.join(tmpdir(), "apt-names-"));
    try {
      await symlink(aptCache, path.join(dir, "apt-cache"));
      const context = {
        host: new NodeHost({ root: "/", programDirs: [dir], defaultTimeoutMs: 30_000, defaultMaxOutputBytes: 1 << 20 }),
        workloads: createWorkloads({ docker: { socket: path.join(dir, "no-engine"), volumeRoots: [] }, models: { dir: path.join(dir, "models"), minFreeBytes: 0 } }),
        progress: () => undefined,
        signal: new AbortController().signal,
      } as unknown as ActionContext;
      const remove = (names: string[]) => handlers["packages.remove"](findAction("packages.remove")!.input.parse({ names }) as never, context);

      await expect(remove(["g++", "libstdc++6", "openssh-client"])).rejects.toThrow(/apt-get is not installed/);
      for (const name of ["openssh-clien+t", "perl-bas+e", "htop+", "openssh-client-"]) {
        await expect(remove([name]), name).rejects.toMatchObject({ code: "invalid_input", message: expect.stringContaining(`No package is named exactly ${name}:`) });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("what the catalogue tells callers about apt-get", () => {
  it("says a cancel stops apt-get (as \"stops apt-get when the command is cancelled\" shows) and that dpkg may then need finishing", () => {
    for (const name of ["packages.install", "packages.remove", "packages.upgrade"]) {
      const description = findAction(name)?.description ?? "";
      expect(description, name).toContain("Cancelling the command stops apt-get (SIGTERM, then SIGKILL)");
      expect(description, name).toContain("sudo dpkg --configure -a");
      expect(description, name).not.toMatch(/never stopped/);
    }
  });
});
