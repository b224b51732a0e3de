import path from "node:path";
import { REPO, WRANGLER } from "../scripts/local-stack.js";
import { freePort } from "../scripts/ports.js";
import { ManagedProcess } from "../scripts/processes.js";

/** A benchmark's own Worker (`bench/<folder>/wrangler.jsonc`) under `wrangler dev`, offline, keeping its objects in `persistDir`. */
export async function startOwnWorker(folder: string, persistDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const worker = ManagedProcess.start(
    `${folder} worker`,
    WRANGLER,
    ["dev", "--config", path.join(REPO, "bench", folder, "wrangler.jsonc"), "--ip", "127.0.0.1", "--port", String(port), "--persist-to", persistDir, "--show-interactive-dev-session=false"],
    { cwd: path.join(REPO, "bench", folder), env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1" } },
  );
  try {
    await worker.waitForLine(/Ready on http/, 120_000);
  } catch (error) {
    await worker.stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, stop: () => worker.stop() };
}
