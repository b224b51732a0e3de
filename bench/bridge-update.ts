import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { DeviceSummary } from "@jetson/protocol";
import { describeBundle, generateUpdateKey, signRelease } from "../device-bridge/src/update/release-signing.js";
import { LocalBridge, type LocalWorker, REPO } from "../scripts/local-stack.js";
import { round } from "./stats.js";

const run = promisify(execFile);
const DEVICE = "bench-update";

async function build(dir: string, version: string): Promise<string> {
  const outfile = path.join(dir, `jetson-bridge-${version}.mjs`);
  await run(process.execPath, ["--import", "tsx", "build.ts", "--version", version, "--outfile", outfile], { cwd: path.join(REPO, "device-bridge") });
  return outfile;
}

/**
 * A simulated board running its single-file build through the launcher, as provisioned, updated
 * `updates` times to a new build (1.0.1, 1.0.2, …): from the bridge.update request to the device's
 * summary showing it online on the new version, and to the answer, which the new bridge gives once
 * it passed its health check (its first telemetry batch, sent every 5 s, accepted).
 */
export async function benchBridgeUpdate(worker: LocalWorker, dir: string, updates: number) {
  const key = generateUpdateKey();
  await worker.api("/releases/key", { method: "PUT", body: JSON.stringify({ publicKey: key.publicKey }) });
  const bridge = await LocalBridge.create({
    worker,
    device: await worker.provision(DEVICE),
    board: "orin-nano-super-jp6",
    dir: path.join(dir, DEVICE),
    installed: await build(dir, "1.0.0"),
    extraConfig: { updateKey: key.publicKey },
  });
  await bridge.start();
  const answered: number[] = [];
  const online: number[] = [];
  let size = 0;
  try {
    for (let i = 1; i <= updates; i++) {
      const version = `1.0.${i}`;
      const bundle = await build(dir, version);
      const facts = { version, platform: "linux" as const, arch: process.arch === "arm64" ? ("arm64" as const) : ("x64" as const), ...(await describeBundle(bundle)) };
      size = facts.size;
      const manifest = signRelease(facts, key.privateKeyPem);
      const upload = await fetch(`${worker.url}/releases/${version}`, {
        method: "PUT",
        headers: { Authorization: `Bearer ${worker.fleetToken}`, "Release-Manifest": Buffer.from(JSON.stringify(manifest)).toString("base64url") },
        body: new Uint8Array(await readFile(bundle)),
      });
      if (upload.status !== 201) throw new Error(`publishing ${version}: ${upload.status} ${await upload.text()}`);

      const start = performance.now();
      const answer = worker
        .api(`/api/devices/${DEVICE}/actions/bridge.update`, { method: "POST", body: JSON.stringify({ args: { version }, timeoutMs: 120_000 }) })
        .then(() => answered.push(performance.now() - start));
      for (;;) {
        const device = await worker.api<DeviceSummary>(`/api/devices/${DEVICE}`);
        if (device.online && device.state?.bridgeVersion === version) break;
        if (performance.now() - start > 120_000) throw new Error(`${DEVICE} not online on ${version} within 120 s`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      online.push(performance.now() - start);
      await answer;
    }
  } finally {
    await bridge.dispose();
  }
  const median = (values: number[]) => round([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN);
  return {
    updates,
    bundleKiB: Math.round(size / 1024),
    "request → online on the new version (download, checks, install, restart, reconnect, state), median ms": median(online),
    "request → online on the new version, max ms": round(Math.max(...online)),
    "request → `updated` answer (the new bridge passed its health check: a telemetry batch accepted), median ms": median(answered),
  };
}
