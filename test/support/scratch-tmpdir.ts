import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * vitest globalSetup: the run's temporary files (each test's mkdtemp, and those of the processes it
 * starts, which inherit TMPDIR) go in one folder of the run's own, removed when the run ends, so a
 * test that forgets its folder leaves nothing behind.
 */
export default async function scratchTmpdir(): Promise<() => Promise<void>> {
  const previous = process.env.TMPDIR;
  // Short: podman refuses a runroot path over 50 characters, and the e2e stack's podman runs under it.
  const dir = await mkdtemp(path.join(tmpdir(), "jt-"));
  // Open to every user as /tmp is, sticky alike: some tests run programs as another user.
  await chmod(dir, 0o1777);
  process.env.TMPDIR = dir;
  return async () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    await rm(dir, { recursive: true, force: true });
  };
}
