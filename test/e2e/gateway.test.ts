import { access, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ClocksStatus, TelemetrySeries } from "@jetson/protocol";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimulatedJetson, type SimulatedJetson, startSimulationClock } from "../../device-bridge/sim/index.js";
import { SAVED_CLOCKS_DIR, SAVED_CLOCKS_FILE } from "../../device-bridge/src/machine/jetson-clocks-commands.js";
import type { LocalBridge } from "../../scripts/local-stack.js";
import { type LocalSshd, startSshd } from "../../scripts/sshd.js";
import { TestStack } from "../support/stack.js";

let stack: TestStack;
let mcp: Client;
let sshd: LocalSshd;
let gatewayBridge: LocalBridge;
let stopClock: () => void;
let nano: SimulatedJetson;
/** Where the Jetson's root lies for SSH sessions only: on the gateway's side this folder is empty. */
let nanoOverSsh: string;

/** How many raw samples with CPU readings the cloud stored for a device from `since` on. */
async function samplesSince(device: string, since: number): Promise<number> {
  const series = await stack.worker.api<TelemetrySeries>(`/api/devices/${device}/telemetry?from=${since}&resolution=raw`);
  return (series.samples ?? []).filter((s) => s.t >= since && s.cpus?.length === 4).length;
}

async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await mcp.callTool({ name, arguments: args })) as CallToolResult;
}

beforeAll(async () => {
  stack = await TestStack.start();
  // The Jetson reached over SSH: a JetPack 4 Nano, too old for the bridge's Node.
  nano = await createSimulatedJetson({ dir: path.join(stack.dir, "old-nano-root"), board: "nano-jp46", hostname: "old-nano" });
  // Made by hand on a gateway's Jetson, as clocks.lock's refusal says: where jetson_clocks keeps its saved settings.
  await mkdir(path.join(nano.root, SAVED_CLOCKS_DIR), { recursive: true });
  // Its files are where SSH sessions see them, not where the gateway would: reading the gateway's own disk finds nothing.
  nanoOverSsh = path.join(stack.dir, "old-nano-over-ssh");
  sshd = await startSshd(path.join(stack.dir, "sshd"), { mounts: [{ source: nano.root, target: nanoOverSsh }] });
  stopClock = startSimulationClock(nano.root, 1_000);
  const keyFile = path.join(stack.dir, "gateway-key");
  await writeFile(keyFile, sshd.privateKey, { mode: 0o600 });
  const nanoDevice = await stack.worker.provision("old-nano");
  gatewayBridge = await stack.addBridge("gateway-1", "agx-orin-jp6", {
    start: false,
    extraConfig: {
      telemetry: { sampleMs: 500, batchMs: 1_000 },
      gateway: [
        {
          deviceId: "old-nano",
          token: nanoDevice.token,
          ssh: { host: sshd.host, port: sshd.port, username: sshd.username, privateKeyFile: keyFile, hostKeySha256: sshd.hostKeySha256 },
          root: nanoOverSsh,
          programDirs: [path.join(nanoOverSsh, path.relative(nano.root, nano.binDir))],
        },
      ],
    },
  });
  const process = gatewayBridge.launch();
  await process.waitForLine(/connected to .*\/tunnel\/local\/gateway-1/);
  await process.waitForLine(/connected to .*\/tunnel\/local\/old-nano/);
  mcp = await stack.mcp();
});

afterAll(async () => {
  stopClock?.();
  await mcp?.close();
  await stack?.stop();
  await sshd?.stop();
});

describe("gateway mode: a Jetson served over SSH", () => {
  it("is a device of its own, answering actions from its own machine", async () => {
    const info = await call("system_info", { device: "old-nano" });
    expect(info.structuredContent).toMatchObject({ hostname: "old-nano", board: "NVIDIA Jetson Nano Developer Kit", soc: "tegra210", cpuCount: 4 });
    expect((info.structuredContent as { jetpack: string }).jetpack).toMatch(/^4\.6/);
    const modes = await call("power_modes", { device: "old-nano" });
    expect(JSON.stringify(modes.structuredContent)).toContain("MAXN");
    const gateway = await call("system_info", { device: "gateway-1" });
    expect(gateway.structuredContent).toMatchObject({ hostname: "gateway-1", soc: "tegra234" });
  });

  it("locks its clocks and restores them, the saved settings staying on the Jetson", async () => {
    await expect(access(path.join(nanoOverSsh, "etc/nvpmodel.conf"))).rejects.toThrow();
    const before = (await call("clocks_status", { device: "old-nano" })).structuredContent as ClocksStatus;
    expect(before.lockedAtMax).toBe(false);

    const locked = await call("clocks_lock", { device: "old-nano" });
    expect(locked.isError ?? false).toBe(false);
    expect(locked.structuredContent).toMatchObject({ saved: true, status: { lockedAtMax: true } });
    await access(path.join(nano.root, SAVED_CLOCKS_FILE));

    const restored = await call("clocks_restore", { device: "old-nano" });
    expect(restored.isError ?? false, JSON.stringify(restored.content)).toBe(false);
    const status = (restored.structuredContent as { status: ClocksStatus }).status;
    expect(status.lockedAtMax).toBe(false);
    expect(status.cpus.map((c) => [c.cpu, c.minKHz, c.maxKHz])).toEqual(before.cpus.map((c) => [c.cpu, c.minKHz, c.maxKHz]));
  });

  it("refuses container actions for it, which would run on the gateway instead", async () => {
    const result = await call("containers_list", { device: "old-nano" });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/not available on this device/);
  });

  it("streams its telemetry from tegrastats over the kept-open connection", async () => {
    const start = Date.now();
    await expect.poll(() => samplesSince("old-nano", start), { timeout: 20_000 }).toBeGreaterThan(2);
  });

  it("comes back by itself after the SSH server drops every session", async () => {
    await sshd.restart();
    const restarted = Date.now();
    await expect
      .poll(async () => (await call("system_ping", { device: "old-nano", timeoutMs: 5_000 })).isError ?? false, { timeout: 30_000 })
      .toBe(false);
    await expect.poll(() => samplesSince("old-nano", restarted), { timeout: 20_000 }).toBeGreaterThan(2);
  });
});
