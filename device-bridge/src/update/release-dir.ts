import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, readdir, readFile, readlink, rename, rm, symlink, unlink } from "node:fs/promises";
import path from "node:path";
import type { BridgeUpdateRecord } from "@jetson/protocol";
import type { z } from "zod";
import { copyDurably, syncFolder, writeDurably } from "../durable-write.js";
import type { FailedStarts } from "./failed-starts.js";
import type { PendingUpdate } from "./pending-update.js";
import type { TrialAttempt } from "./trial-attempt.js";
import type { TrustedKey } from "./trusted-key.js";

/** The bundle's file name inside each release folder. */
export const BUNDLE_FILE = "jetson-bridge.mjs";

/**
 * A temporary name in the folder (or in `releases/`): a dot, what it is for, a dash and 12 hex digits.
 * Nothing else is named so, and no release version starts with a dot, so launch can tell what a dead process left.
 */
function scratchName(purpose: string): string {
  return `.${purpose}-${randomBytes(6).toString("hex")}`;
}
const SCRATCH_NAME = /^\.[a-z.-]+-[0-9a-f]{12}$/;
/** What a release folder is renamed to before it is deleted. */
const DISCARDED = "discarded";

/**
 * The installed bridge releases of one device, beside each other:
 * `releases/<version>/jetson-bridge.mjs`, the `current` link the launcher runs, the `previous`
 * link a rollback returns to, `pending.json` while an update is on trial, `trial.json`, the launcher's
 * note of the trial's last start, `last-update.json`, how the last one ended, `failed-starts.json`
 * while the bridge's starts fail in a row, and `update-key.json` once the device followed a rotation
 * of the fleet's update key. Links are switched by renaming a new link over the old one,
 * so a crash leaves either the old or the new target, never none. A release folder is complete or
 * absent: it is renamed into place whole, and renamed aside before it is deleted.
 */
export class ReleaseDir {
  constructor(readonly dir: string) {}

  bundle(version: string): string {
    return path.join(this.dir, "releases", version, BUNDLE_FILE);
  }

  /** The version the `current` (or `previous`) link points at; undefined when there is none. */
  async linked(link: "current" | "previous"): Promise<string | undefined> {
    const target = await readlink(path.join(this.dir, link)).catch(() => undefined);
    return target === undefined ? undefined : path.basename(target);
  }

  /** A new file name for a download, in this folder (made on the first update of a bridge installed by provisioning). */
  async scratchFile(): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    return path.join(this.dir, scratchName("download"));
  }

  /**
   * Copies a checked bundle into its release folder (replacing an earlier copy of that version) without touching the links.
   * The folder's files and names are on disk before it takes the version's name, so a power cut after `current` points at it never leaves it empty.
   */
  async install(version: string, file: string): Promise<void> {
    const releases = path.join(this.dir, "releases");
    const staging = path.join(releases, scratchName("staging"));
    await mkdir(staging, { recursive: true, mode: 0o755 });
    try {
      await copyDurably(file, path.join(staging, BUNDLE_FILE));
      await writeDurably(path.join(staging, ".installed"), "w", `${version}\n`);
      await syncFolder(staging);
      await this.discard([version]);
      await rename(staging, path.join(releases, version));
      await syncFolder(releases);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /**
   * Deletes every release folder but those `current`, `previous` and a pending update name, and
   * `running` (the release this process runs), and what a prune or install that died left half-deleted.
   * Only the process that changes the links may call it, never while it installs or switches.
   */
  async prune(running?: string): Promise<void> {
    const pending = await this.pending();
    const keep = new Set([await this.linked("current"), await this.linked("previous"), pending?.version, running]);
    const names = await this.entries("releases");
    await this.discard(names.filter((name) => !name.startsWith(".") && !keep.has(name)));
    await this.removeAll("releases", names.filter((name) => name.startsWith(`.${DISCARDED}-`)));
  }

  /** At launch, before anything else uses the folder: removes the temporary files and folders of a process that died. */
  async clearLeftovers(): Promise<void> {
    await this.removeAll(".", (await this.entries(".")).filter((name) => SCRATCH_NAME.test(name)));
    await this.removeAll("releases", (await this.entries("releases")).filter((name) => SCRATCH_NAME.test(name)));
  }

  /** Makes `version` current and what was current the previous one. */
  async switchTo(version: string): Promise<void> {
    const current = await this.linked("current");
    if (current !== undefined && current !== version) await this.point("previous", current);
    await this.point("current", version);
  }

  /**
   * Points `current` back at `previous` and returns that version; without a previous release
   * (the first update of a bridge installed by hand) removes `current`, so the launcher runs the installed bundle again.
   */
  async rollBack(): Promise<string | undefined> {
    const previous = await this.linked("previous");
    if (previous !== undefined) {
      await this.point("current", previous);
      return previous;
    }
    await rm(path.join(this.dir, "current"), { force: true });
    await syncFolder(this.dir);
    return undefined;
  }

  async pending(): Promise<PendingUpdate | undefined> {
    return this.readJson("pending.json", async () => (await import("./pending-update.js")).PendingUpdateSchema);
  }

  async setPending(pending: PendingUpdate): Promise<void> {
    await this.writeJson("pending.json", pending);
  }

  /** pending.json's path, which the launcher's deadline watcher looks at without parsing it. */
  get pendingFile(): string {
    return path.join(this.dir, "pending.json");
  }

  async clearPending(): Promise<void> {
    await this.remove("pending.json");
  }

  async trialAttempt(): Promise<TrialAttempt | undefined> {
    return this.readJson("trial.json", async () => (await import("./trial-attempt.js")).TrialAttemptSchema);
  }

  async setTrialAttempt(attempt: TrialAttempt): Promise<void> {
    await this.writeJson("trial.json", attempt);
  }

  /** From process.on("exit"), where nothing asynchronous runs; not synced, so a power loss reads as a death that recorded nothing. */
  recordTrialExitSync(attempt: TrialAttempt): void {
    this.writeJsonSync("trial.json", attempt);
  }

  async clearTrialAttempt(): Promise<void> {
    await this.remove("trial.json");
  }

  async failedStarts(): Promise<FailedStarts | undefined> {
    return this.readJson("failed-starts.json", async () => (await import("./failed-starts.js")).FailedStartsSchema);
  }

  /** From process.on("exit"), as recordTrialExitSync. */
  recordFailedStartsSync(failed: FailedStarts): void {
    this.writeJsonSync("failed-starts.json", failed);
  }

  async clearFailedStarts(): Promise<void> {
    await this.remove("failed-starts.json");
  }

  /** From a signal handler that ends the process. */
  clearFailedStartsSync(): void {
    rmSync(path.join(this.dir, "failed-starts.json"), { force: true });
  }

  /**
   * The update key this device trusts: the one it followed rotations to, while its configuration
   * still pins the key it followed them from (`enrolled`); enrolled again with another key, that key.
   */
  async trustedKey(enrolled: string): Promise<string> {
    const stored = await this.readJson("update-key.json", async () => (await import("./trusted-key.js")).TrustedKeySchema);
    return stored?.enrolled === enrolled ? stored.trusted : enrolled;
  }

  async setTrustedKey(key: TrustedKey): Promise<void> {
    await this.writeJson("update-key.json", key);
  }

  async lastUpdate(): Promise<BridgeUpdateRecord | undefined> {
    return this.readJson("last-update.json", async () => (await import("@jetson/protocol")).BridgeUpdateRecordSchema);
  }

  async recordOutcome(record: BridgeUpdateRecord): Promise<void> {
    await this.writeJson("last-update.json", record);
  }

  /** The names in a subfolder (`.` for this folder); none when it does not exist (no release was installed yet). */
  private async entries(folder: string): Promise<string[]> {
    return readdir(path.join(this.dir, folder)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
      return [];
    });
  }

  private async removeAll(folder: string, names: string[]): Promise<void> {
    for (const name of names) await rm(path.join(this.dir, folder, name), { recursive: true, force: true });
  }

  /** Deletes these release folders, each renamed aside first (and that on disk), so a crash never leaves part of one under its version's name. */
  private async discard(versions: string[]): Promise<void> {
    const releases = path.join(this.dir, "releases");
    const aside: string[] = [];
    for (const version of versions) {
      const name = scratchName(DISCARDED);
      const moved = await rename(path.join(releases, version), path.join(releases, name)).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code !== "ENOENT") throw error;
          return false;
        },
      );
      if (moved) aside.push(name);
    }
    if (aside.length === 0) return;
    await syncFolder(releases);
    await this.removeAll("releases", aside);
  }

  /** Removes a file of this folder if it is there; synced only when it was. */
  private async remove(name: string): Promise<void> {
    const removed = await unlink(path.join(this.dir, name)).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
        return false;
      },
    );
    if (removed) await syncFolder(this.dir);
  }

  private async point(link: "current" | "previous", version: string): Promise<void> {
    const staging = path.join(this.dir, scratchName(link));
    await symlink(path.join("releases", version), staging);
    await rename(staging, path.join(this.dir, link));
    await syncFolder(this.dir);
  }

  /**
   * The schema loads only when there is a file to read: the launcher reads this folder at each start
   * and, but during an update, finds nothing to parse, so it never loads zod or the protocol.
   */
  private async readJson<T>(name: string, schema: () => Promise<z.ZodType<T>>): Promise<T | undefined> {
    const text = await readFile(path.join(this.dir, name), "utf8").catch(() => undefined);
    if (text === undefined) return undefined;
    const parser = await schema();
    try {
      const parsed = parser.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** writeJson for process.on("exit") and signal handlers, where nothing asynchronous runs: replaced whole, not synced. */
  private writeJsonSync(name: string, value: unknown): void {
    mkdirSync(this.dir, { recursive: true });
    const staging = path.join(this.dir, scratchName(name));
    writeFileSync(staging, `${JSON.stringify(value)}\n`);
    renameSync(staging, path.join(this.dir, name));
  }

  private async writeJson(name: string, value: unknown): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const staging = path.join(this.dir, scratchName(name));
    await writeDurably(staging, "w", `${JSON.stringify(value)}\n`);
    await rename(staging, path.join(this.dir, name));
    await syncFolder(this.dir);
  }
}
