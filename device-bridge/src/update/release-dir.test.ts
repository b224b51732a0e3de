import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ReleaseDir } from "./release-dir.js";

async function releaseDir(): Promise<{ releases: ReleaseDir; bundleOf(version: string): Promise<string> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "releases-"));
  const releases = new ReleaseDir(path.join(dir, "bridge"));
  return {
    releases,
    async bundleOf(version) {
      const file = path.join(dir, `${version}.mjs`);
      await writeFile(file, `// bridge ${version}\n`);
      return file;
    },
  };
}

describe("release folder", () => {
  it("installs beside the running release, switches current, keeps previous and rolls back to it", async () => {
    const { releases, bundleOf } = await releaseDir();
    await releases.install("1.0.0", await bundleOf("1.0.0"));
    await releases.switchTo("1.0.0");
    await releases.install("1.1.0", await bundleOf("1.1.0"));
    expect(await releases.linked("current")).toBe("1.0.0");

    await releases.switchTo("1.1.0");
    expect(await releases.linked("current")).toBe("1.1.0");
    expect(await releases.linked("previous")).toBe("1.0.0");
    expect(await readFile(path.join(releases.dir, "current", "jetson-bridge.mjs"), "utf8")).toBe("// bridge 1.1.0\n");

    expect(await releases.rollBack()).toBe("1.0.0");
    expect(await readFile(path.join(releases.dir, "current", "jetson-bridge.mjs"), "utf8")).toBe("// bridge 1.0.0\n");
    // Both stay installed: the failed one can be looked at, or replaced by a fixed build of the same version.
    expect(await readFile(releases.bundle("1.1.0"), "utf8")).toBe("// bridge 1.1.0\n");
  });

  it("rolls the first update of a bridge installed by hand back to no current release (the installed bundle)", async () => {
    const { releases, bundleOf } = await releaseDir();
    await releases.install("2.0.0", await bundleOf("2.0.0"));
    await releases.switchTo("2.0.0");
    expect(await releases.rollBack()).toBeUndefined();
    expect(await releases.linked("current")).toBeUndefined();
  });

  it("keeps the pending update and the last outcome across reads, and ignores a damaged marker", async () => {
    const { releases } = await releaseDir();
    expect(await releases.pending()).toBeUndefined();
    await releases.setPending({ version: "1.1.0", from: "1.0.0", healthTimeoutSeconds: 60, requestedAt: 1 });
    expect(await releases.pending()).toEqual({ version: "1.1.0", from: "1.0.0", healthTimeoutSeconds: 60, requestedAt: 1 });
    await releases.clearPending();
    await releases.clearPending();
    expect(await releases.pending()).toBeUndefined();
    await writeFile(path.join(releases.dir, "last-update.json"), "{not json");
    expect(await releases.lastUpdate()).toBeUndefined();
  });

  it("trusts the update key the device followed rotations to until it is enrolled again with another key", async () => {
    const { releases } = await releaseDir();
    const [enrolled, rotatedTo, reEnrolled] = ["E".repeat(43), "R".repeat(43), "N".repeat(43)] as const;
    expect(await releases.trustedKey(enrolled)).toBe(enrolled);
    await releases.setTrustedKey({ enrolled, trusted: rotatedTo });
    expect(await releases.trustedKey(enrolled)).toBe(rotatedTo);
    expect(await releases.trustedKey(reEnrolled)).toBe(reEnrolled);
  });
});
