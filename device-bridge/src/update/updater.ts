import { rm } from "node:fs/promises";
import { bridgeUpdate, type BridgeUpdateRecord, BridgeVersionSchema, catalogue, type Command, keyAfterRotations, type ReleaseManifest, type Result } from "@jetson/protocol";
import { ActionError } from "../action-error.js";
import type { Handler, HandlerTable } from "../actions/types.js";
import type { Logger } from "../log.js";
import { UPDATE_EXIT_CODE } from "./launcher-contract.js";
import { checkManifest } from "./release-check.js";
import type { ReleaseDir } from "./release-dir.js";
import { downloadBundle, fetchKeyRotations, fetchManifest } from "./release-download.js";
import { rotationSigned, signedBy } from "./release-signing.js";
import type { DeviceIdentity } from "../device-service.js";

export const DEFAULT_HEALTH_TIMEOUT_SECONDS = 120;

export interface BridgeUpdaterOptions {
  identity: DeviceIdentity;
  /** The fleet's update key as pinned at enrollment; undefined on a device enrolled before the fleet had one. */
  updateKey: string | undefined;
  /** The launcher's release folder; undefined when the bridge was started without the launcher. */
  releases: ReleaseDir | undefined;
  running: string;
  platform: string;
  arch: string;
  /** The handlers this bridge loaded: the health check wants every catalogued action among them. */
  handlers: Partial<HandlerTable>;
  /** Stops the bridge (what it sent is delivered first) and ends this process with UPDATE_EXIT_CODE. */
  restart(): Promise<never>;
  log: Logger;
}

/**
 * This machine's bridge updating itself: runs bridge.update (download, check, install, switch) and
 * restarts into the new release without answering. Started as a release on trial, it passes the
 * health check that keeps it (link up, a telemetry sample accepted by the cloud, every handler
 * loaded). The command's answer comes from whichever bridge runs then, once the outcome is known
 * (resume): the new one once it passed, the previous one, back after a rollback, with the reason.
 * So a fleet run's canary and abort threshold judge the update by that outcome.
 */
export class BridgeUpdater {
  /** The version this process is restarting into. */
  private restartInto: string | undefined;
  private record: BridgeUpdateRecord | undefined;
  /** Until the first check finds no trial of this version, or passes it. */
  private onTrial = true;
  /** Settles when this release's trial passes (never, if the launcher ends it first). */
  private passed!: () => void;
  private readonly trialPassed = new Promise<void>((resolve) => {
    this.passed = resolve;
  });
  /** The last change of the release folder's releases and links: an install and its switch, or a prune, run one at a time. */
  private linking: Promise<void> = Promise.resolve();

  private constructor(private readonly options: BridgeUpdaterOptions) {}

  static async open(options: BridgeUpdaterOptions): Promise<BridgeUpdater> {
    const updater = new BridgeUpdater(options);
    updater.record = await options.releases?.lastUpdate();
    return updater;
  }

  /** How the last update ended, for the device's state. */
  get lastUpdate(): BridgeUpdateRecord | undefined {
    return this.record;
  }

  readonly handler: Handler<"bridge.update"> = async (input, context) => {
    const { releases, updateKey, running, identity } = this.options;
    if (!releases) {
      throw new ActionError("not_supported", "This bridge was not started by its launcher (jetson-bridge launch), so it cannot switch to another release. See infra/device/jetson-bridge.service.");
    }
    if (!updateKey) {
      throw new ActionError(
        "not_supported",
        "No update key is pinned in this bridge's configuration (updateKey): the device was enrolled before the fleet had one, and it trusts no release until one is pinned. Re-enroll it, or put the fleet's key (GET /api/settings, updateKey) in its configuration.",
      );
    }
    if (this.restartInto) throw new ActionError("too_busy", `The bridge is already restarting into ${this.restartInto}.`);
    const trial = await releases.pending();
    // The launcher would take this bridge's exit during a trial for a failure of the release on trial.
    if (trial) throw new ActionError("too_busy", `The update to ${trial.version} has not passed its health check yet; try again once it has.`);
    context.progress(0, 3, `fetching release ${input.version}'s manifest`);
    const manifest = await fetchManifest(identity, input.version, context.signal);
    const trust = await this.keyFor(manifest, releases, updateKey, context.signal);
    checkManifest(manifest, {
      version: input.version,
      pinnedKey: trust.trusted,
      running,
      allowDowngrade: input.allowDowngrade ?? false,
      platform: this.options.platform,
      arch: this.options.arch,
    });
    context.progress(1, 3, `downloading ${manifest.size} bytes`);
    const download = await releases.scratchFile();
    try {
      await downloadBundle(identity, manifest, download, context.signal);
      context.progress(2, 3, `installing ${manifest.version} beside ${running}`);
      // A prune meanwhile would take the new release, installed but not yet linked, for one no link needs.
      await this.oneAtATime(async () => {
        await releases.install(manifest.version, download);
        // The last moment a cancel stops it (the cloud has already recorded it as cancelled); one that comes
        // later, in the milliseconds before the restart, is too late: the device's state shows the new version.
        if (context.signal.aborted) throw new ActionError("cancelled", `The update was cancelled before it switched to ${manifest.version}: ${running} keeps running.`);
        // Trusted from now on, even if this release is rolled back: the rotation's signature stands on its own.
        if (trust.rotated) await releases.setTrustedKey({ enrolled: updateKey, trusted: trust.trusted });
        await releases.setPending({
          version: manifest.version,
          from: running,
          healthTimeoutSeconds: input.healthTimeoutSeconds ?? DEFAULT_HEALTH_TIMEOUT_SECONDS,
          requestedAt: Date.now(),
        });
        await releases.switchTo(manifest.version);
      });
    } finally {
      await rm(download, { force: true });
    }
    this.restartInto = manifest.version;
    context.progress(3, 3, `restarting into ${manifest.version}`);
    this.options.log.info(`bridge ${manifest.version} installed; restarting into it`);
    return this.options.restart();
  };

  /**
   * The key to check this manifest against: the one this device trusts (pinned at enrollment, or
   * reached by rotations it followed before) or, when another key signed the manifest, the key the
   * fleet's rotations lead to from it. Each rotation's signature is checked here, not taken from the cloud.
   */
  private async keyFor(manifest: ReleaseManifest, releases: ReleaseDir, enrolled: string, signal: AbortSignal): Promise<{ trusted: string; rotated: boolean }> {
    const trusted = await releases.trustedKey(enrolled);
    if (signedBy(manifest, trusted)) return { trusted, rotated: false };
    const rotatedTo = await keyAfterRotations(trusted, await fetchKeyRotations(this.options.identity, signal), rotationSigned);
    return { trusted: rotatedTo, rotated: rotatedTo !== trusted };
  }

  /**
   * The answer to a bridge.update that an earlier process started and restarted for: succeeded
   * once this release passed its health check, failed with the reason once it was rolled back;
   * undefined for another command, or an update this bridge knows nothing of.
   */
  async resume(command: Command): Promise<Result | undefined> {
    const version = command.action === bridgeUpdate.name ? BridgeVersionSchema.safeParse(command.args.version) : undefined;
    if (!version?.success) return undefined;
    const startedAt = Date.now();
    const pending = await this.options.releases?.pending();
    if (this.record?.version !== version.data && pending?.version === version.data && this.options.running === version.data) await this.trialPassed;
    const record = this.record;
    if (record?.version !== version.data) return undefined;
    const times = { id: command.id, startedAt, endedAt: Date.now() };
    return record.outcome === "updated"
      ? { ...times, ok: true, data: { status: "updated", from: record.from, to: record.version } }
      : { ...times, ok: false, error: { code: "handler_failed", message: `Bridge ${record.version} was rolled back to ${record.from}: ${record.reason ?? "no reason given"}.` } };
  }

  /**
   * The cloud accepted a telemetry batch (so the link is up and sampling works). A release on
   * trial whose handlers are all loaded has passed its health check: it records the update and
   * ends the trial. Answers whether the record changed, so the caller reports the state again.
   */
  async telemetryDelivered(): Promise<boolean> {
    const { releases, running, handlers, log } = this.options;
    if (!this.onTrial) return false;
    const pending = await releases?.pending();
    if (!releases || pending?.version !== running) {
      this.onTrial = false;
      return false;
    }
    const missing = catalogue.filter((action) => typeof handlers[action.name] !== "function").map((action) => action.name);
    if (missing.length > 0) {
      log.error(`health check: no handler for ${missing.join(", ")}; the launcher will roll back`);
      return false;
    }
    this.onTrial = false;
    this.record = { version: running, from: pending.from, outcome: "updated", at: Date.now() };
    await releases.recordOutcome(this.record);
    await releases.clearPending();
    this.passed();
    log.info(`bridge ${running} passed its health check; the update from ${pending.from} is kept`);
    // Only this release and the one it replaced are needed from now on (a rollback returns to that one).
    await this.oneAtATime(() => releases.prune(running)).catch((error: Error) => log.warn(`could not delete the releases no longer needed: ${error.message}`));
    return true;
  }

  private oneAtATime(work: () => Promise<void>): Promise<void> {
    const done = this.linking.then(work);
    this.linking = done.catch(() => undefined);
    return done;
  }
}
