import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import ts from "typescript";

const run = promisify(execFile);

/**
 * worker/wrangler.jsonc for `wrangler dev` with the dashboard built once beforehand instead of
 * by wrangler's custom build. That build's watcher runs the build a second time when it is ready
 * and restarts the runtime; on a loaded machine that restart overlapped the first start and
 * workerd failed to bind its port (a CI run lost a whole test file to it). Without the custom
 * build wrangler bundles and watches the Worker's own sources, the built dashboard included:
 * running `node dashboard/build.mjs` in worker/ again reloads a running `npm start`.
 */
export function prebuiltWorkerConfig(repo: string): Promise<string> {
  prepared ??= prepare(repo);
  return prepared;
}

let prepared: Promise<string> | undefined;

async function prepare(repo: string): Promise<string> {
  const workerDir = path.join(repo, "worker");
  await run(process.execPath, ["dashboard/build.mjs"], { cwd: workerDir });
  const source = path.join(workerDir, "wrangler.jsonc");
  // TypeScript's reader of commented JSON: importing wrangler's own would bring in its signal handlers.
  const { config, error } = ts.parseConfigFileTextToJson(source, await readFile(source, "utf8"));
  if (error !== undefined || typeof config?.main !== "string") throw new Error(`${source} could not be read as a Worker configuration.`);
  const { build: _customBuild, $schema: _schema, main, ...rest } = config as { main: string } & Record<string, unknown>;
  const dir = await mkdtemp(path.join(tmpdir(), "jetson-worker-config-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "wrangler.json");
  await writeFile(file, JSON.stringify({ ...rest, main: path.join(workerDir, main) }, null, 2));
  return file;
}
