import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, rm, statfs } from "node:fs/promises";
import path from "node:path";
import { ModelNameSchema } from "@jetson/protocol";
import { ActionError } from "../actions/types.js";

export const PART_SUFFIX = ".part";

interface Cached {
  size: number;
  mtimeMs: number;
  sha256: string;
}

/**
 * The folder of model files on the device (a real path, like the bridge's state folder). Every
 * name is checked again here before it becomes a path, whatever checked it before.
 */
export class ModelStore {
  // Hashing a multi-gigabyte model takes seconds: remember each file's hash while its size and mtime stay.
  private readonly hashes = new Map<string, Cached>();

  constructor(
    readonly dir: string,
    /** Space a download must leave free on the store's filesystem. */
    readonly minFreeBytes: number,
  ) {}

  pathOf(name: string): string {
    if (!ModelNameSchema.safeParse(name).success || path.basename(name) !== name) {
      throw new ActionError("invalid_input", `Not a model name: ${JSON.stringify(name)} (a file name without folders or "..")`);
    }
    return path.join(this.dir, name);
  }

  partPathOf(name: string): string {
    return `${this.pathOf(name)}${PART_SUFFIX}`;
  }

  /** A regular file's size, or undefined when there is none (a symlink in the store counts as none). */
  async sizeOf(file: string): Promise<number | undefined> {
    const s = await lstat(file).catch(() => undefined);
    return s?.isFile() ? s.size : undefined;
  }

  async list() {
    const entries = await readdir(this.dir, { withFileTypes: true }).catch(() => []);
    const models = [];
    const partial = [];
    for (const entry of entries.filter((e) => e.isFile()).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.endsWith(PART_SUFFIX)) {
        const bytes = await this.sizeOf(path.join(this.dir, entry.name));
        if (bytes !== undefined) partial.push({ name: entry.name.slice(0, -PART_SUFFIX.length), bytes });
      } else if (ModelNameSchema.safeParse(entry.name).success) {
        const s = await lstat(path.join(this.dir, entry.name));
        models.push({ name: entry.name, sizeBytes: s.size, sha256: await this.sha256Of(entry.name), modifiedAt: s.mtime.toISOString() });
      }
    }
    return { models, partial };
  }

  async sha256Of(name: string): Promise<string> {
    const file = this.pathOf(name);
    const s = await lstat(file);
    const cached = this.hashes.get(name);
    if (cached && cached.size === s.size && cached.mtimeMs === s.mtimeMs) return cached.sha256;
    const sha256 = await sha256File(file);
    this.hashes.set(name, { size: s.size, mtimeMs: s.mtimeMs, sha256 });
    return sha256;
  }

  /** Records the hash of a file just written, so listing it costs nothing. */
  async remember(name: string, sha256: string): Promise<void> {
    const s = await lstat(this.pathOf(name));
    this.hashes.set(name, { size: s.size, mtimeMs: s.mtimeMs, sha256 });
  }

  /** Deletes a model and its unfinished download; the bytes freed. */
  async remove(name: string): Promise<number> {
    const files = [this.pathOf(name), this.partPathOf(name)];
    const sizes = await Promise.all(files.map((f) => this.sizeOf(f)));
    if (sizes.every((s) => s === undefined)) {
      throw new ActionError("invalid_input", `There is no model ${name} in the store: ai_model_list shows the ones there are.`);
    }
    await Promise.all(files.map((f) => rm(f, { force: true })));
    this.hashes.delete(name);
    return sizes.reduce<number>((sum, s) => sum + (s ?? 0), 0);
  }

  /** Bytes an unprivileged writer may still use on the store's filesystem. */
  async availableBytes(): Promise<number | undefined> {
    const s = await statfs(this.dir).catch(() => undefined);
    return s ? s.bavail * s.bsize : undefined;
  }
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}
