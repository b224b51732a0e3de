import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { REPO } from "../../scripts/local-stack.js";

const WORKER = path.join(REPO, "worker");
const BUNDLES = ["client.bundle.js", "client.bundle.css", "panel.bundle.html"].map((name) => path.join(WORKER, "dashboard/dist", name));

const build = () => promisify(execFile)(process.execPath, ["dashboard/build.mjs"], { cwd: WORKER });
const identities = () => Promise.all(BUNDLES.map(async (file) => ((s) => `${s.ino}:${s.mtimeMs}`)(await stat(file))));

describe("the dashboard build", () => {
  // A running `wrangler dev` reloads when a file it imports changes, cutting every connection it holds:
  // each end-to-end test file builds as its stack starts, beside another file's running stack.
  it("leaves bundles whose text it would write unchanged on disk, so a running wrangler dev does not reload", async () => {
    await build();
    const before = await identities();
    await build();
    expect(await identities()).toEqual(before);
  }, 60_000);
});
