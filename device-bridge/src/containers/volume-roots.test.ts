import { mkdir, mkdtemp, realpath, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkContainerPath, checkVolumeHostPath } from "./volume-roots.js";

let base: string;
let root: string;

beforeAll(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), "volumes-")));
  root = path.join(base, "data");
  await mkdir(path.join(root, "app/config"), { recursive: true });
  await mkdir(path.join(base, "secret"), { recursive: true });
  await symlink(path.join(base, "secret"), path.join(root, "escape"));
  await symlink(path.join(root, "app"), path.join(root, "alias"));
  await symlink(root, path.join(base, "linked-root"));
});

describe("volume host paths", () => {
  it("accepts a root itself, as its canonical path, also named through a link or with a trailing slash", async () => {
    expect(await checkVolumeHostPath(root, [root])).toBe(root);
    expect(await checkVolumeHostPath(`${root}/`, [root])).toBe(root);
    expect(await checkVolumeHostPath(path.join(base, "linked-root"), [root])).toBe(root);
    // A root given through a link is compared by its real path.
    expect(await checkVolumeHostPath(root, [path.join(base, "linked-root")])).toBe(root);
  });

  it("refuses a folder inside a root, which a container mounting the root could replace with a link, and paths outside", async () => {
    for (const inside of [path.join(root, "app/config"), path.join(root, "alias/config"), path.join(root, "escape")]) {
      await expect(checkVolumeHostPath(inside, [root]), inside).rejects.toThrow(/is not one of the folders containers may mount.*mount the folder itself/);
    }
    await expect(checkVolumeHostPath(path.join(base, "secret"), [root])).rejects.toThrow(/is not one of the folders containers may mount/);
    await expect(checkVolumeHostPath(`${root}/../secret`, [root])).rejects.toThrow(/free of ".."/);
    await expect(checkVolumeHostPath("relative/path", [root])).rejects.toThrow(/absolute/);
    await expect(checkVolumeHostPath(`${root}-sibling`, [root])).rejects.toThrow(/is not one of/);
    await expect(checkVolumeHostPath("/etc", [])).rejects.toThrow(/allows no volumes: .*docker.volumeRoots/);
  });

  it("refuses roots that lie one inside the other, whichever is asked for", async () => {
    const roots = [root, path.join(root, "app")];
    await expect(checkVolumeHostPath(root, roots)).rejects.toThrow(/one inside the other/);
    await expect(checkVolumeHostPath(path.join(root, "app"), roots)).rejects.toThrow(/one inside the other/);
  });

  it("says a configured root that is missing must be created first", async () => {
    const missing = path.join(base, "not-yet");
    await expect(checkVolumeHostPath(missing, [root, missing])).rejects.toThrow(/does not exist on the device: create it first/);
    await expect(checkVolumeHostPath("/nowhere/at/all", [root])).rejects.toThrow(/is not one of/);
  });

  it("checks the path inside the container", () => {
    expect(checkContainerPath("/data/")).toBe("/data/");
    expect(() => checkContainerPath("/data/../etc")).toThrow(/\.\./);
    expect(() => checkContainerPath("/data:/etc")).toThrow(/":"/);
    expect(() => checkContainerPath("data")).toThrow(/absolute/);
  });
});
