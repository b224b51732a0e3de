import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ManagedProcess } from "../../../scripts/processes.js";
import { createLogger } from "../log.js";
import { launch } from "./launcher.js";
import { ReleaseDir } from "./release-dir.js";
import { UPDATE_EXIT_CODE } from "./launcher-contract.js";

const BRIDGE_BIN = fileURLToPath(new URL("../../bin/jetson-bridge.js", import.meta.url));

/** A release folder whose bundles are small scripts that note each start in runs.log and then do `body`. */
async function fixture(bundles: Record<string, string>): Promise<{ releases: ReleaseDir; runs(): Promise<string[]>; helpers(): Promise<string[]> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "launcher-"));
  const releases = new ReleaseDir(path.join(dir, "bridge"));
  const log = path.join(dir, "runs.log");
  const helpers = path.join(dir, "helpers.log");
  for (const [version, body] of Object.entries(bundles)) {
    const file = path.join(dir, `${version}.mjs`);
    await writeFile(
      file,
      `import { appendFileSync } from "node:fs";\nappendFileSync(${JSON.stringify(log)}, "${version} " + process.argv.slice(2).join(" ") + "\\n");\nappendFileSync(${JSON.stringify(helpers)}, process.env.JETSON_BRIDGE_HELPER_SCRIPT + "\\n");\n${body}\n`,
    );
    await releases.install(version, file);
  }
  return {
    releases,
    runs: async () => (await readFile(log, "utf8")).split("\n").slice(0, -1),
    helpers: async () => (await readFile(helpers, "utf8")).split("\n").slice(0, -1),
  };
}

const quiet = createLogger("launcher-test");

describe("launcher", () => {
  it("starts the new current release when the bridge exits with the update exit code, passing the arguments on", async () => {
    const { releases, runs, helpers } = await fixture({
      "1.0.0": `import { renameSync, symlinkSync } from "node:fs";
        const dir = process.env.JETSON_BRIDGE_RELEASES;
        symlinkSync("releases/1.1.0", dir + "/.next"); renameSync(dir + "/.next", dir + "/current");
        process.exit(${UPDATE_EXIT_CODE});`,
      "1.1.0": "process.exit(4);",
    });
    await releases.switchTo("1.0.0");
    expect(await launch({ releases, args: ["run", "--config", "/x.json"], fallback: "/opt/installed.mjs", log: quiet })).toBe(4);
    expect(await runs()).toEqual(["1.0.0 run --config /x.json", "1.1.0 run --config /x.json"]);
    // sudo's helper stays the installed (root-owned) bundle, whichever release runs.
    expect(await helpers()).toEqual(["/opt/installed.mjs", "/opt/installed.mjs"]);
  });

  it("rolls back a release on trial that exits before passing its health check, records why, and runs the previous one", async () => {
    const { releases, runs } = await fixture({ "1.0.0": "process.exit(0);", "1.1.0": "process.exit(3);" });
    await releases.switchTo("1.0.0");
    await releases.setPending({ version: "1.1.0", from: "1.0.0", healthTimeoutSeconds: 600, requestedAt: 1 });
    await releases.switchTo("1.1.0");

    expect(await launch({ releases, args: ["run"], fallback: "/nonexistent", log: quiet })).toBe(0);
    expect(await runs()).toEqual(["1.1.0 run", "1.0.0 run"]);
    expect(await releases.linked("current")).toBe("1.0.0");
    expect(await releases.pending()).toBeUndefined();
    expect(await releases.lastUpdate()).toMatchObject({
      version: "1.1.0",
      from: "1.0.0",
      outcome: "rolled-back",
      reason: "bridge 1.1.0 exited with code 3 before it passed its health check",
    });
  });

  it("rolls back a release on trial that stays up but never passes its health check within its time", async () => {
    const { releases, runs } = await fixture({ "1.0.0": "process.exit(0);", "1.1.0": "setInterval(() => {}, 1000);" });
    await releases.switchTo("1.0.0");
    await releases.setPending({ version: "1.1.0", from: "1.0.0", healthTimeoutSeconds: 1, requestedAt: 1 });
    await releases.switchTo("1.1.0");

    expect(await launch({ releases, args: [], fallback: "/nonexistent", log: quiet })).toBe(0);
    expect(await runs()).toEqual(["1.1.0 ", "1.0.0 "]);
    expect(await releases.lastUpdate()).toMatchObject({ outcome: "rolled-back", reason: "bridge 1.1.0 did not come online and pass its health check within 1 s" });
  });

  it("keeps a release on trial that passes its health check (it ends the trial itself)", async () => {
    const { releases, runs } = await fixture({
      "1.0.0": "process.exit(0);",
      "1.1.0": `import { unlinkSync } from "node:fs";
        unlinkSync(process.env.JETSON_BRIDGE_RELEASES + "/pending.json");
        process.exit(5);`,
    });
    await releases.switchTo("1.0.0");
    await releases.setPending({ version: "1.1.0", from: "1.0.0", healthTimeoutSeconds: 600, requestedAt: 1 });
    await releases.switchTo("1.1.0");

    expect(await launch({ releases, args: [], fallback: "/nonexistent", log: quiet })).toBe(5);
    expect(await runs()).toEqual(["1.1.0 "]);
    expect(await releases.linked("current")).toBe("1.1.0");
  });

  it("runs the installed bundle while no release is current", async () => {
    const { releases, runs } = await fixture({ "1.0.0": "process.exit(6);" });
    expect(await launch({ releases, args: ["run"], fallback: releases.bundle("1.0.0"), log: quiet })).toBe(6);
    expect(await runs()).toEqual(["1.0.0 run"]);
  });
});

describe("the launcher process", () => {
  it("tells its memory on SIGUSR2, as systemctl kill sends it to the whole unit, and keeps its bridge running", async () => {
    const { releases } = await fixture({
      // It ends with its launcher, whatever killed that: a launcher dying of the signal leaves nothing behind.
      "1.0.0": `const launcher = process.ppid;
        process.on("SIGUSR2", () => console.error("release memory"));
        console.error("release up");
        setInterval(() => { try { process.kill(launcher, 0); } catch { process.exit(0); } }, 200);`,
    });
    await releases.switchTo("1.0.0");
    const launcher = ManagedProcess.start("launcher", process.execPath, [BRIDGE_BIN, "launch", "--releases", releases.dir, "--", "run"]);
    try {
      await launcher.waitForLine(/release up/);
      const launcherMemory = launcher.nextLine(/info \[launcher\] memory (\{.*\})/);
      const releaseMemory = launcher.nextLine(/release memory/);
      launcher.signal("SIGUSR2");
      const usage = JSON.parse((await launcherMemory)[1] ?? "") as NodeJS.MemoryUsage;
      expect(usage.rss).toBeGreaterThan(usage.heapUsed);
      await releaseMemory;
    } finally {
      await launcher.stop();
    }
  });
});
