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
  it("accepts folders under a root, as their canonical path", async () => {
    expect(await checkVolumeHostPath(path.join(root, "app/config"), [root])).toBe(path.join(root, "app/config"));
    expect(await checkVolumeHostPath(root, [root])).toBe(root);
    expect(await checkVolumeHostPath(path.join(root, "alias/config"), [root])).toBe(path.join(root, "app/config"));
    // A root given through a symlink is compared by its real path.
    expect(await checkVolumeHostPath(path.join(root, "app"), [path.join(base, "linked-root")])).toBe(path.join(root, "app"));
  });

  it("refuses paths outside the roots, with .., or through a symlink that leads out", async () => {
    await expect(checkVolumeHostPath(path.join(base, "secret"), [root])).rejects.toThrow(/outside the folders containers may mount/);
    await expect(checkVolumeHostPath(path.join(root, "escape"), [root])).rejects.toThrow(/outside/);
    await expect(checkVolumeHostPath(`${root}/../secret`, [root])).rejects.toThrow(/free of ".."/);
    await expect(checkVolumeHostPath("relative/path", [root])).rejects.toThrow(/absolute/);
    await expect(checkVolumeHostPath(`${root}-sibling`, [root])).rejects.toThrow(/outside/);
    await expect(checkVolumeHostPath("/etc", [])).rejects.toThrow(/allows no volumes: .*docker.volumeRoots/);
  });

  it("says a missing folder under a root must be created first", async () => {
    await expect(checkVolumeHostPath(path.join(root, "not-yet"), [root])).rejects.toThrow(/does not exist on the device: create it first/);
    await expect(checkVolumeHostPath("/nowhere/at/all", [root])).rejects.toThrow(/outside/);
  });

  it("checks the path inside the container", () => {
    expect(checkContainerPath("/data/")).toBe("/data/");
    expect(() => checkContainerPath("/data/../etc")).toThrow(/\.\./);
    expect(() => checkContainerPath("/data:/etc")).toThrow(/":"/);
    expect(() => checkContainerPath("data")).toThrow(/absolute/);
  });
});
