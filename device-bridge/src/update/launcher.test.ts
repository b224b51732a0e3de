import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ManagedProcess } from "../../../scripts/processes.js";
import { BRIDGE_VERSION } from "../version.js";
import { ReleaseDir } from "./release-dir.js";
import { UPDATE_EXIT_CODE } from "./launcher-contract.js";
import { UNASKED_EXIT_CODE } from "./unasked-exit.js";

const BRIDGE_BIN = fileURLToPath(new URL("../../bin/jetson-bridge.js", import.meta.url));

/** What a fixture release notes at each start. */
interface Run {
  version: string;
  pid: number;
  script: string;
  helper: string;
  releases: string;
  args: string[];
}

/** Every fixture's folder, removed once the tests are done. */
const made: string[] = [];
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A release folder whose bundles are small scripts that note each start in runs.log and then do `body`. */
async function fixture(bundles: Record<string, string>): Promise<{ releases: ReleaseDir; runs(): Promise<Run[]> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "launcher-"));
  made.push(dir);
  const releases = new ReleaseDir(path.join(dir, "bridge"));
  const log = path.join(dir, "runs.log");
  for (const [version, body] of Object.entries(bundles)) {
    const file = path.join(dir, `${version}.mjs`);
    const run = `{ version: ${JSON.stringify(version)}, pid: process.pid, script: process.argv[1], helper: process.env.JETSON_BRIDGE_HELPER_SCRIPT, releases: process.env.JETSON_BRIDGE_RELEASES, args: process.argv.slice(2) }`;
    await writeFile(file, `import { appendFileSync } from "node:fs";\nappendFileSync(${JSON.stringify(log)}, JSON.stringify(${run}) + "\\n");\n${body}\n`);
    await releases.install(version, file);
  }
  return {
    releases,
    runs: async () =>
      (await readFile(log, "utf8"))
        .split("\n")
        .slice(0, -1)
        .map((line) => JSON.parse(line) as Run),
  };
}

/** `jetson-bridge launch` as the device's unit starts it. The tests play systemd: they start it again once it ended. */
function start(releases: ReleaseDir, args: string[] = ["run"]): ManagedProcess {
  return ManagedProcess.start("launcher", process.execPath, [BRIDGE_BIN, "launch", "--releases", releases.dir, "--", ...args]);
}

/** How a process ended: its exit code, or the signal that killed it. */
async function ending(launched: ManagedProcess): Promise<number | NodeJS.Signals | null> {
  const code = await launched.exited;
  return code ?? launched.child.signalCode;
}

/** Puts `version` on trial as bridge.update leaves it: installed, pending.json written, `current` switched. */
async function onTrial(releases: ReleaseDir, version: string, from: string, healthTimeoutSeconds: number): Promise<void> {
  await releases.switchTo(from);
  await releases.setPending({ version, from, healthTimeoutSeconds, requestedAt: Date.now() });
  await releases.switchTo(version);
}

describe("launcher", () => {
  it("runs the release in its own process with the arguments, and after an update exit the next start runs the new current", async () => {
    const { releases, runs } = await fixture({
      "1.0.0": `import { renameSync, symlinkSync } from "node:fs";
        const dir = process.env.JETSON_BRIDGE_RELEASES;
        symlinkSync("releases/1.1.0", dir + "/.next"); renameSync(dir + "/.next", dir + "/current");
        process.exit(${UPDATE_EXIT_CODE});`,
      "1.1.0": "process.exit(4);",
    });
    await releases.switchTo("1.0.0");
    const first = start(releases, ["run", "--config", "/x.json"]);
    expect(await ending(first)).toBe(UPDATE_EXIT_CODE);
    const second = start(releases, ["run", "--config", "/x.json"]);
    expect(await ending(second)).toBe(4);

    // sudo's helper (and the script the release sees itself run from) stays the installed, root-owned bundle.
    const same = { script: BRIDGE_BIN, helper: BRIDGE_BIN, releases: releases.dir, args: ["run", "--config", "/x.json"] };
    expect(await runs()).toEqual([
      { version: "1.0.0", pid: first.child.pid, ...same },
      { version: "1.1.0", pid: second.child.pid, ...same },
    ]);
  });

  it("rolls back, at the next start, a release on trial that exited before passing its health check, records the exit code and runs the previous one", async () => {
    const { releases, runs } = await fixture({ "0.9.0": "process.exit(0);", "1.0.0": "process.exit(0);", "1.1.0": "process.exit(3);" });
    await onTrial(releases, "1.1.0", "1.0.0", 600);

    expect(await ending(start(releases))).toBe(3);
    expect(await releases.linked("current")).toBe("1.1.0");
    const next = start(releases);
    await next.waitForLine(/bridge 1\.1\.0 exited with code 3 before it passed its health check: rolled back to 1\.0\.0/);
    // The fixture's 1.0.0 ends by itself.
    expect(await ending(next)).toBe(UNASKED_EXIT_CODE);

    expect((await runs()).map((run) => run.version)).toEqual(["1.1.0", "1.0.0"]);
    // The new release's failed start does not hold back the previous one.
    expect(next.output).not.toMatch(/waiting/);
    expect(await releases.linked("current")).toBe("1.0.0");
    expect(await releases.pending()).toBeUndefined();
    expect(await releases.lastUpdate()).toMatchObject({
      version: "1.1.0",
      from: "1.0.0",
      outcome: "rolled-back",
      reason: "bridge 1.1.0 exited with code 3 before it passed its health check",
    });
    // Only the release it rolled back to is needed now.
    expect(await readdir(path.join(releases.dir, "releases"))).toEqual(["1.0.0"]);
  });

  it("removes at start what a process that died left half-written, and runs current", async () => {
    const { releases, runs } = await fixture({ "1.0.0": "process.exit(0);" });
    await releases.switchTo("1.0.0");
    await writeFile(await releases.scratchFile(), "half a download");
    await mkdir(path.join(releases.dir, "releases", ".staging-0123456789ab"));
    await mkdir(path.join(releases.dir, "releases", ".discarded-0123456789ab"));

    // The fixture's 1.0.0 ends by itself: a failed start, noted for the next start's wait.
    expect(await ending(start(releases))).toBe(UNASKED_EXIT_CODE);
    expect((await runs()).map((run) => run.version)).toEqual(["1.0.0"]);
    expect((await readdir(releases.dir)).sort()).toEqual(["current", "failed-starts.json", "releases"]);
    expect(await readdir(path.join(releases.dir, "releases"))).toEqual(["1.0.0"]);
  });

  it("kills a release on trial that blocks its event loop past its deadline; the next start rolls it back and records why", async () => {
    const { releases, runs } = await fixture({ "1.0.0": "process.exit(0);", "1.1.0": "for (;;) {}" });
    await onTrial(releases, "1.1.0", "1.0.0", 1);

    expect(await ending(start(releases))).toBe("SIGKILL");
    expect(await ending(start(releases))).toBe(UNASKED_EXIT_CODE);

    expect((await runs()).map((run) => run.version)).toEqual(["1.1.0", "1.0.0"]);
    expect(await releases.linked("current")).toBe("1.0.0");
    expect(await releases.lastUpdate()).toMatchObject({ outcome: "rolled-back", reason: "bridge 1.1.0 did not come online and pass its health check within 1 s" });
  });

  it("rolls back a release on trial that ends with 0 by itself (its event loop emptied, or its own process.exit(0)): its process ends as a failure, for systemd to start again", async () => {
    const stays = `process.on("SIGTERM", () => process.exit(0)); console.error("release up"); setInterval(() => {}, 1000);`;
    for (const ends of ["", "process.exit(0);"]) {
      const { releases, runs } = await fixture({ "1.0.0": stays, "1.1.0": ends });
      await onTrial(releases, "1.1.0", "1.0.0", 600);

      const first = start(releases);
      expect(await ending(first), ends).toBe(UNASKED_EXIT_CODE);
      expect(first.output).toContain(`the bridge ended by itself, with no stop asked for: ending with code ${UNASKED_EXIT_CODE}, a failure, so that it is started again`);
      const next = start(releases);
      await next.waitForLine(/bridge 1\.1\.0 ended by itself, with no stop asked for, before it passed its health check: rolled back to 1\.0\.0/);
      await next.waitForLine(/release up/);
      await next.stop("SIGTERM");
      expect(await ending(next)).toBe(0);

      expect((await runs()).map((run) => run.version)).toEqual(["1.1.0", "1.0.0"]);
      expect(await releases.linked("current")).toBe("1.0.0");
      expect(await releases.pending()).toBeUndefined();
      expect(await releases.lastUpdate()).toMatchObject({ outcome: "rolled-back", reason: "bridge 1.1.0 ended by itself, with no stop asked for, before it passed its health check" });
    }
  });

  it("ends a release that ends with 0 by itself outside a trial as a failure: systemd starts it again, and after failed starts later", async () => {
    // Its event loop empties, or it calls process.exit(0) itself.
    for (const bundle of ["", "process.exit(0);"]) {
      const { releases, runs } = await fixture({ "1.0.0": bundle });
      await releases.switchTo("1.0.0");

      expect(await ending(start(releases))).toBe(UNASKED_EXIT_CODE);
      const second = start(releases);
      await second.waitForLine(new RegExp(`the last 1 start\\(s\\) failed within 60 s \\(the last with exit code ${UNASKED_EXIT_CODE}\\): waiting 1 s before this one`));
      expect(await ending(second)).toBe(UNASKED_EXIT_CODE);
      expect((await runs()).map((run) => run.version)).toEqual(["1.0.0", "1.0.0"]);
    }
  });

  it("lets a command that ends by itself (--version, --help) end with 0 through a release, counting no failed start", async () => {
    const { releases } = await fixture({ "1.0.0": "" });
    await releases.switchTo("1.0.0");
    for (const command of ["--version", "--help"]) expect(await ending(start(releases, [command]))).toBe(0);
    const served = start(releases);
    expect(await ending(served)).toBe(UNASKED_EXIT_CODE);
    expect(served.output).not.toMatch(/start\(s\) failed/);
  });

  it("keeps the exit code of a release that fails as it loads (its module throws), which set it without process.exit", async () => {
    const { releases } = await fixture({ "1.0.0": `throw new Error("this build is broken");` });
    await releases.switchTo("1.0.0");
    const launched = start(releases);
    expect(await ending(launched)).toBe(1);
    expect(launched.output).toMatch(/this build is broken/);
    expect(launched.output).not.toMatch(/ended by itself/);
  });

  it("tries a release on trial again after a clean stop (systemctl stop)", async () => {
    const { releases, runs } = await fixture({
      "1.0.0": "process.exit(0);",
      "1.1.0": `process.on("SIGTERM", () => process.exit(0)); console.error("release up"); setInterval(() => {}, 1000);`,
    });
    await onTrial(releases, "1.1.0", "1.0.0", 600);

    for (let i = 0; i < 2; i++) {
      const launched = start(releases);
      await launched.waitForLine(/release up/);
      await launched.stop("SIGTERM");
      expect(await ending(launched)).toBe(0);
    }

    expect((await runs()).map((run) => run.version)).toEqual(["1.1.0", "1.1.0"]);
    expect(await releases.linked("current")).toBe("1.1.0");
    expect(await releases.pending()).toMatchObject({ version: "1.1.0" });
    expect(await releases.lastUpdate()).toBeUndefined();
  });

  it("takes a stop that comes before the release handles SIGTERM (it is still starting) for a clean stop too", async () => {
    const { releases, runs } = await fixture({ "1.0.0": "process.exit(0);", "1.1.0": `console.error("release up"); setInterval(() => {}, 1000);` });
    await onTrial(releases, "1.1.0", "1.0.0", 600);

    const launched = start(releases);
    await launched.waitForLine(/release up/);
    await launched.stop("SIGTERM");
    expect(await ending(launched)).toBe(0);
    const again = start(releases);
    await again.waitForLine(/release up/);
    await again.stop("SIGTERM");

    expect((await runs()).map((run) => run.version)).toEqual(["1.1.0", "1.1.0"]);
    expect(await releases.pending()).toMatchObject({ version: "1.1.0" });
    expect(await releases.lastUpdate()).toBeUndefined();
  });

  it("keeps a release on trial that passes its health check, and its deadline watcher ends", async () => {
    const { releases, runs } = await fixture({
      "1.0.0": "process.exit(0);",
      "1.1.0": `import { rmSync } from "node:fs";
        process.on("SIGTERM", () => process.exit(0));
        rmSync(process.env.JETSON_BRIDGE_RELEASES + "/pending.json", { force: true });
        console.error("release up");
        setInterval(() => {}, 1000);`,
    });
    await onTrial(releases, "1.1.0", "1.0.0", 600);

    const launched = start(releases);
    await launched.waitForLine(/release up/);
    await launched.waitForLine(/trial watcher ended/);
    await launched.stop("SIGTERM");
    expect(await ending(launched)).toBe(0);
    const again = start(releases);
    await again.waitForLine(/release up/);
    await again.stop("SIGTERM");

    expect(again.output).toMatch(/starting bridge 1\.1\.0$/m);
    expect((await runs()).map((run) => run.version)).toEqual(["1.1.0", "1.1.0"]);
    expect(await releases.linked("current")).toBe("1.1.0");
    expect(await releases.lastUpdate()).toBeUndefined();
  });

  it("waits longer before each start that follows starts failing within a minute; a stop during the wait ends it, and the next start runs at once", async () => {
    const { releases, runs } = await fixture({ "1.0.0": "process.exit(3);" });
    await releases.switchTo("1.0.0");

    expect(await ending(start(releases))).toBe(3);
    const second = start(releases);
    await second.waitForLine(/the last 1 start\(s\) failed within 60 s \(the last with exit code 3\): waiting 1 s before this one/);
    expect(await ending(second)).toBe(3);
    const third = start(releases);
    await third.waitForLine(/the last 2 start\(s\) failed .*: waiting 2 s before this one/);
    await third.stop("SIGTERM");
    expect(await ending(third)).toBe(0);
    const fourth = start(releases);
    expect(await ending(fourth)).toBe(3);

    expect(fourth.output).not.toMatch(/waiting/);
    // The start stopped while it waited never ran the release.
    expect((await runs()).map((run) => run.pid)).toEqual([expect.any(Number), second.child.pid, fourth.child.pid]);
  });

  it("runs its own command in its own process while no release is current", async () => {
    const { releases } = await fixture({});
    const launched = start(releases, ["--version"]);
    await launched.waitForLine(new RegExp(`^${BRIDGE_VERSION.replaceAll(".", "\\.")}$`));
    expect(await ending(launched)).toBe(0);
  });
});

describe("the launcher process", () => {
  it("tells its memory on SIGUSR2, as systemctl kill sends it to the whole unit, and keeps its bridge running", async () => {
    const { releases } = await fixture({
      "1.0.0": `process.on("SIGUSR2", () => console.error("release memory"));
        process.on("SIGTERM", () => process.exit(0));
        setImmediate(() => console.error("release up"));
        setInterval(() => {}, 1000);`,
    });
    await releases.switchTo("1.0.0");
    const launched = start(releases);
    try {
      await launched.waitForLine(/release up/);
      for (let i = 0; i < 2; i++) {
        const answered = launched.nextLine(/release memory/);
        launched.signal("SIGUSR2");
        await answered;
      }
      // One report a signal, the release's: the launcher's own answered only while the release loaded.
      expect(launched.output).not.toMatch(/\[launcher\] memory/);
    } finally {
      await launched.stop();
    }
    expect(await ending(launched)).toBe(0);
  });
});
