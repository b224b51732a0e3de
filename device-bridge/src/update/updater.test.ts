import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { handlers } from "../actions/index.js";
import type { ActionContext } from "../actions/types.js";
import { createLogger } from "../log.js";
import { ReleaseDir } from "./release-dir.js";
import { releaseServer } from "./release-server.fixture.js";
import { BridgeUpdater, type BridgeUpdaterOptions } from "./updater.js";

async function updater(options: Partial<BridgeUpdaterOptions>): Promise<BridgeUpdater> {
  return BridgeUpdater.open({
    // Nothing listens here: each refusal below comes before any request.
    identity: { url: "http://127.0.0.1:9", fleet: "f", deviceId: "d", token: "t".repeat(16) },
    updateKey: "A".repeat(43),
    releases: new ReleaseDir(await mkdtemp(path.join(tmpdir(), "updater-"))),
    running: "1.0.0",
    platform: "linux",
    arch: "arm64",
    handlers: {},
    restart: () => {
      throw new Error("must not restart");
    },
    log: createLogger("updater-test"),
    ...options,
  });
}

const context = { signal: new AbortController().signal, progress: () => undefined } as unknown as ActionContext;

describe("bridge.update on a device that cannot take it", () => {
  it("refuses every update on a device enrolled before the fleet had an update key, saying how to pin one", async () => {
    const refusal = (await updater({ updateKey: undefined })).handler({ version: "1.1.0" }, context);
    await expect(refusal).rejects.toMatchObject({ code: "not_supported", message: expect.stringMatching(/No update key is pinned[\s\S]*Re-enroll it/) });
  });

  it("refuses an update when the bridge was not started by its launcher, which alone can switch and roll back", async () => {
    const refusal = (await updater({ releases: undefined })).handler({ version: "1.1.0" }, context);
    await expect(refusal).rejects.toMatchObject({ code: "not_supported", message: expect.stringMatching(/not started by its launcher/) });
  });
});

describe("bridge.update cancelled before it switched", () => {
  /** An update of a bridge running 1.0.0 (current) to 1.1.0, cancelled as it reports the step `cancelAt` (or when the test aborts `cancel`). */
  async function updateTo11(server: Awaited<ReturnType<typeof releaseServer>>, cancelAt?: string) {
    const releases = new ReleaseDir(await mkdtemp(path.join(tmpdir(), "updater-")));
    await releases.install("1.0.0", path.join(import.meta.dirname, "updater.test.ts"));
    await releases.switchTo("1.0.0");
    const cancel = new AbortController();
    const steps: string[] = [];
    const progress = (_done: number, _total: number, step: string) => {
      steps.push(step);
      if (cancelAt && step.startsWith(cancelAt)) cancel.abort();
    };
    const bridge = await updater({ identity: { url: server.url, fleet: "f", deviceId: "d", token: "t".repeat(16) }, updateKey: server.updateKey, releases });
    const update = bridge.handler({ version: "1.1.0" }, { signal: cancel.signal, progress } as unknown as ActionContext);
    return { releases, cancel, steps, update };
  }

  /** The device as it was: 1.0.0 current, no trial, no download left behind. */
  async function unchanged(releases: ReleaseDir) {
    expect(await releases.linked("current")).toBe("1.0.0");
    expect(await releases.linked("previous")).toBeUndefined();
    expect(await releases.pending()).toBeUndefined();
    expect((await readdir(releases.dir)).filter((name) => name.startsWith(".download-"))).toEqual([]);
  }

  it("stops the download, installs nothing and keeps the running release", async () => {
    const server = await releaseServer("1.1.0");
    try {
      const { releases, cancel, update } = await updateTo11(server);
      await server.started(1);
      cancel.abort();
      await expect(update).rejects.toThrow();
      await unchanged(releases);
      expect(await readdir(path.join(releases.dir, "releases"))).toEqual(["1.0.0"]);
    } finally {
      await server.close();
    }
  });

  it("does not switch to a release it finished downloading when the cancel came", async () => {
    const server = await releaseServer("1.1.0");
    try {
      const { releases, steps, update } = await updateTo11(server, "installing");
      await server.started(1);
      server.sendRest();
      await expect(update).rejects.toMatchObject({ code: "cancelled", message: expect.stringMatching(/cancelled before it switched to 1\.1\.0: 1\.0\.0 keeps running/) });
      await unchanged(releases);
      expect(steps).not.toContain("restarting into 1.1.0");
    } finally {
      await server.close();
    }
  });
});

describe("the health check of a release on trial", () => {
  it("ends the trial once the cloud accepted telemetry and every handler is loaded, recording the update", async () => {
    const releases = new ReleaseDir(await mkdtemp(path.join(tmpdir(), "updater-")));
    await releases.setPending({ version: "1.1.0", from: "1.0.0", healthTimeoutSeconds: 60, requestedAt: 1 });

    const incomplete = await updater({ releases, running: "1.1.0", handlers: {} });
    expect(await incomplete.telemetryDelivered()).toBe(false);
    expect(await releases.pending()).toMatchObject({ version: "1.1.0" });
    // Meanwhile no other update may start: the launcher would take the restart for a failed trial.
    await expect(incomplete.handler({ version: "1.2.0" }, context)).rejects.toMatchObject({ code: "too_busy" });

    const complete = await updater({ releases, running: "1.1.0", handlers });
    expect(await complete.telemetryDelivered()).toBe(true);
    expect(await releases.pending()).toBeUndefined();
    expect(complete.lastUpdate).toMatchObject({ version: "1.1.0", from: "1.0.0", outcome: "updated" });
    expect(await releases.lastUpdate()).toEqual(complete.lastUpdate);
    expect(await complete.telemetryDelivered()).toBe(false);
  });

  it("keeps only the release that passed and the one it replaced, update after update", async () => {
    const releases = new ReleaseDir(await mkdtemp(path.join(tmpdir(), "updater-")));
    let running = "1.0.0";
    await releases.install(running, path.join(import.meta.dirname, "updater.test.ts"));
    await releases.switchTo(running);
    for (let minor = 1; minor <= 50; minor++) {
      const version = `1.${minor}.0`;
      await releases.install(version, path.join(import.meta.dirname, "updater.test.ts"));
      await releases.setPending({ version, from: running, healthTimeoutSeconds: 60, requestedAt: minor });
      await releases.switchTo(version);
      running = version;
      expect(await (await updater({ releases, running, handlers })).telemetryDelivered()).toBe(true);
    }
    expect((await readdir(path.join(releases.dir, "releases"))).sort()).toEqual(["1.49.0", "1.50.0"]);
    expect(await releases.linked("current")).toBe("1.50.0");
    expect(await releases.linked("previous")).toBe("1.49.0");
  });

  it("leaves a trial of another version to the launcher", async () => {
    const releases = new ReleaseDir(await mkdtemp(path.join(tmpdir(), "updater-")));
    await releases.setPending({ version: "1.2.0", from: "1.1.0", healthTimeoutSeconds: 60, requestedAt: 1 });
    expect(await (await updater({ releases, running: "1.1.0", handlers })).telemetryDelivered()).toBe(false);
    expect(await releases.pending()).toMatchObject({ version: "1.2.0" });
  });
});

describe("the answer to an update the bridge restarted for", () => {
  const command = (version: string) => ({ id: "cmd-update01", action: "bridge.update", args: { version }, deadline: Date.now() + 60_000, requestedBy: "test" });

  it("is given by the new release once it passed its health check", async () => {
    const releases = new ReleaseDir(await mkdtemp(path.join(tmpdir(), "updater-")));
    await releases.setPending({ version: "1.1.0", from: "1.0.0", healthTimeoutSeconds: 60, requestedAt: 1 });
    const updated = await updater({ releases, running: "1.1.0", handlers });
    const answer = updated.resume(command("1.1.0"));
    await updated.telemetryDelivered();
    expect(await answer).toMatchObject({ id: "cmd-update01", ok: true, data: { status: "updated", from: "1.0.0", to: "1.1.0" } });
  });

  it("is a failure with the reason when the previous release answers after a rollback", async () => {
    const releases = new ReleaseDir(await mkdtemp(path.join(tmpdir(), "updater-")));
    await releases.recordOutcome({ version: "1.1.0", from: "1.0.0", outcome: "rolled-back", reason: "bridge 1.1.0 exited with code 1 before it passed its health check", at: 1 });
    const previous = await updater({ releases, running: "1.0.0", handlers });
    expect(await previous.resume(command("1.1.0"))).toMatchObject({
      ok: false,
      error: { code: "handler_failed", message: "Bridge 1.1.0 was rolled back to 1.0.0: bridge 1.1.0 exited with code 1 before it passed its health check." },
    });
  });

  it("is left to the usual rule for any other command, and an update this bridge knows nothing of", async () => {
    const known = await updater({ handlers });
    expect(await known.resume({ ...command("1.1.0"), action: "system.ping", args: {} })).toBeUndefined();
    expect(await known.resume(command("1.1.0"))).toBeUndefined();
  });
});
