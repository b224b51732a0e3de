import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));
const run = (args: string[]) => promisify(execFile)(process.execPath, ["--import", "tsx", cli, ...args]);

describe("sim cli", () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it("creates a board and prints its root and binDir as JSON", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "sim-cli-"));
    dirs.push(dir);
    const { stdout } = await run(["--board", "agx-orin-jp6", "--dir", dir, "--hostname", "orin-1"]);
    expect(JSON.parse(stdout)).toEqual({ root: dir, binDir: path.join(dir, "usr/bin") });
    expect(await readFile(path.join(dir, "etc/hostname"), "utf8")).toBe("orin-1\n");
  });

  it("refuses an unknown board", async () => {
    await expect(run(["--board", "tx2", "--dir", tmpdir(), "--hostname", "x"])).rejects.toMatchObject({ code: 2 });
  });
});
