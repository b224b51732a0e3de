import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { type FileHandle, lstat, open, readdir, realpath, rm, statfs } from "node:fs/promises";
import path from "node:path";
import { ModelNameSchema } from "@jetson/protocol";
import { ActionError } from "../action-error.js";

export const PART_SUFFIX = ".part";

interface Cached {
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** Never through a link (O_NOFOLLOW), never blocking on a FIFO planted under a model's name. */
const NO_FOLLOW = constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * The folder of model files on the device (a real path, like the bridge's state folder). Every
 * name is checked again here before it becomes a path, whatever checked it before. It follows no
 * symbolic link: neither the folder itself nor any file in it, finished or being downloaded.
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

  /** Refuses a store folder that is a link (or not a folder): writing there would write wherever it points. */
  async checkFolder(): Promise<void> {
    const s = await lstat(this.dir);
    if (s.isSymbolicLink() || !s.isDirectory()) {
      throw new ActionError(
        "permission_denied",
        `The model store ${this.dir} is a ${s.isSymbolicLink() ? "symbolic link" : "file, not a folder"}: the bridge never follows links in it. Make it a plain folder (models.dir in the bridge configuration).`,
      );
    }
  }

  /**
   * The folder a serving container mounts: the store itself, refused when it or a folder above it
   * has become a link since the configuration named it, since the engine would mount wherever that
   * points (the host's /etc, the engine's own socket).
   */
  async mountSource(): Promise<string> {
    await this.checkFolder();
    const real = await realpath(this.dir);
    if (real !== path.resolve(this.dir)) {
      throw new ActionError(
        "permission_denied",
        `The model store ${this.dir} leads to ${real}: a folder above it is a symbolic link, and the bridge mounts no folder but the one its configuration names (models.dir). Nothing was started.`,
      );
    }
    return real;
  }

  /** Opens a regular file of the store to write (from its start, or appending), refusing a link or anything but a regular file. */
  openForWriting(file: string, append: boolean): Promise<FileHandle> {
    const flags = constants.O_WRONLY | constants.O_CREAT | (append ? constants.O_APPEND : constants.O_TRUNC);
    return openRegular(file, flags);
  }

  /** Deletes a model and its unfinished download; the bytes freed. */
  async remove(name: string): Promise<number> {
    await this.checkFolder();
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

export async function sha256File(file: string): Promise<string> {
  const handle = await openRegular(file, constants.O_RDONLY);
  const hash = createHash("sha256");
  try {
    for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk);
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}

async function openRegular(file: string, flags: number): Promise<FileHandle> {
  const handle = await open(file, flags | NO_FOLLOW, 0o644).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ELOOP") throw notRegular(file, "a symbolic link");
    if (error.code === "ENXIO") throw notRegular(file, "a FIFO");
    throw error;
  });
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw notRegular(file, "not a regular file");
  }
  return handle;
}

function notRegular(file: string, what: string): ActionError {
  return new ActionError(
    "permission_denied",
    `${file} is ${what}: the model store never follows links or writes anything but its own files. Nothing was written; remove it and deploy again.`,
  );
}
