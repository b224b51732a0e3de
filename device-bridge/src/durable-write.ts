/** Writes that are on disk when they return: what must survive a crash or a power cut. */
import { copyFile, open, rename, rm } from "node:fs/promises";
import path from "node:path";

/** Writes (or appends) and returns once the bytes are on disk. */
export async function writeDurably(file: string, flags: "a" | "w", text: string): Promise<void> {
  const handle = await open(file, flags, 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `file` whole (mode 0600, and `owner` if given): the text is written beside it, put on disk
 * and renamed over it, so a crash at any step leaves the old file or the new one, never part of either.
 */
export async function replaceDurably(file: string, text: string, owner?: { uid: number; gid: number }): Promise<void> {
  const temporary = `${file}.tmp`;
  const handle = await open(temporary, "w", 0o600);
  try {
    try {
      // A temporary left by a crash keeps its mode and owner when opened again.
      await handle.chmod(0o600);
      if (owner) await handle.chown(owner.uid, owner.gid);
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    // The old file is untouched; leave no partial copy of what replaces it (a credential, say) beside it.
    await rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(path.dirname(file));
}

/** Copies `from` to `to` and returns once the copy's bytes are on disk (its name is once its folder is). */
export async function copyDurably(from: string, to: string): Promise<void> {
  await copyFile(from, to);
  await sync(to);
}

// A rename, or a new file, is on disk only once its folder is.
export async function syncFolder(dir: string): Promise<void> {
  await sync(dir);
}

async function sync(file: string): Promise<void> {
  const handle = await open(file, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
