import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { BUNDLE_FILE, ReleaseDir } from "./release-dir.js";

const RELEASE_DIR = fileURLToPath(new URL("./release-dir.ts", import.meta.url));

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

  it("has the bundle's bytes and the release folder's names on disk before the folder takes its version's name, which current may point at next", async () => {
    const { releases, bundleOf } = await releaseDir();
    const bundle = await bundleOf("1.0.0");
    // What a power cut would lose is what was not synced: strace shows which files were, and when.
    const trace = path.join(path.dirname(releases.dir), "install.trace");
    const script = `import { ReleaseDir } from ${JSON.stringify(RELEASE_DIR)}; await new ReleaseDir(process.argv[1]).install("1.0.0", process.argv[2]);`;
    const args = ["-f", "-qq", "-y", "-o", trace, "-e", "trace=fsync,fdatasync,rename,renameat,renameat2", process.execPath, "--import", "tsx", "--input-type=module", "-e", script, releases.dir, bundle];
    await promisify(execFile)("strace", args, { cwd: path.dirname(RELEASE_DIR) });
    expect(await readFile(releases.bundle("1.0.0"), "utf8")).toBe("// bridge 1.0.0\n");

    const calls = (await readFile(trace, "utf8")).split("\n");
    const first = (call: RegExp) => calls.findIndex((line) => call.test(line));
    const staging = String.raw`/releases/\.staging-[0-9a-f]{12}`;
    const renamed = first(new RegExp(String.raw`rename.*${staging}", .*/releases/1\.0\.0"`));
    expect(renamed, calls.join("\n")).toBeGreaterThan(0);
    for (const synced of [`${staging}/${BUNDLE_FILE}>`, `${staging}>`]) {
      const at = first(new RegExp(String.raw`f(data)?sync\(\d+<[^>]*${synced}`));
      expect(at, `${synced} synced before the rename:\n${calls.join("\n")}`).toBeGreaterThanOrEqual(0);
      expect(at).toBeLessThan(renamed);
    }
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
