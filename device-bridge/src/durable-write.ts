/** Writes that are on disk when they return: what must survive a crash or a power cut. */
import { open } from "node:fs/promises";

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

// A rename, or a new file, is on disk only once its folder is.
export async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
