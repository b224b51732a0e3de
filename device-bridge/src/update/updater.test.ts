import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { handlers } from "../actions/index.js";
import type { ActionContext } from "../actions/types.js";
import { createLogger } from "../log.js";
import { ReleaseDir } from "./release-dir.js";
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
