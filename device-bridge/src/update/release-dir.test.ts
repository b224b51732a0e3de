import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from "node:fs/promises";
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
    // Both stay installed until a prune (the launcher's, after the rollback).
    expect(await readFile(releases.bundle("1.1.0"), "utf8")).toBe("// bridge 1.1.0\n");
  });

  it("rolls the first update of a bridge installed by hand back to no current release (the installed bundle)", async () => {
    const { releases, bundleOf } = await releaseDir();
    await releases.install("2.0.0", await bundleOf("2.0.0"));
    await releases.switchTo("2.0.0");
    expect(await releases.rollBack()).toBeUndefined();
    expect(await releases.linked("current")).toBeUndefined();
  });

  it("prunes every release but current, previous, the pending one and the running one, and what a prune that died left", async () => {
    const { releases, bundleOf } = await releaseDir();
    for (const version of ["1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0"]) await releases.install(version, await bundleOf(version));
    await releases.switchTo("1.2.0");
    await releases.switchTo("1.3.0");
    await releases.setPending({ version: "1.4.0", from: "1.3.0", healthTimeoutSeconds: 60, requestedAt: 1 });
    // A prune that died while it deleted a folder it had renamed aside.
    await mkdir(path.join(releases.dir, "releases", ".discarded-0123456789ab", "part"), { recursive: true });

    await releases.prune("1.1.0");
    expect((await readdir(path.join(releases.dir, "releases"))).sort()).toEqual(["1.1.0", "1.2.0", "1.3.0", "1.4.0"]);
    expect(await readFile(path.join(releases.dir, "previous", "jetson-bridge.mjs"), "utf8")).toBe("// bridge 1.2.0\n");

    await releases.clearPending();
    await releases.prune();
    expect((await readdir(path.join(releases.dir, "releases"))).sort()).toEqual(["1.2.0", "1.3.0"]);
    expect(await readFile(path.join(releases.dir, "current", "jetson-bridge.mjs"), "utf8")).toBe("// bridge 1.3.0\n");
  });

  it("clears the temporary files of a process that died, and nothing else", async () => {
    const { releases, bundleOf } = await releaseDir();
    await releases.install("1.0.0", await bundleOf("1.0.0"));
    await releases.switchTo("1.0.0");
    await releases.recordOutcome({ version: "1.0.0", from: "0.9.0", outcome: "updated", at: 1 });
    await writeFile(await releases.scratchFile(), "half a download");
    await writeFile(path.join(releases.dir, ".last-update.json-0123456789ab"), "{");
    await symlink("releases/1.0.0", path.join(releases.dir, ".previous-0123456789ab"));
    await mkdir(path.join(releases.dir, "releases", ".staging-0123456789ab"));

    await releases.clearLeftovers();
    expect((await readdir(releases.dir)).sort()).toEqual(["current", "last-update.json", "releases"]);
    expect(await readdir(path.join(releases.dir, "releases"))).toEqual(["1.0.0"]);
    await new ReleaseDir(path.join(releases.dir, "never-installed")).clearLeftovers();
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
