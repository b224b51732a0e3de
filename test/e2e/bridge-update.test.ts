import { execFile } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { AuditEntry, CommandDetail, CommandRecord, DeviceSummary, FleetRun } from "@jetson/protocol";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BRIDGE_BIN, type LocalBridge, REPO } from "../../scripts/local-stack.js";
import { TestStack } from "../support/stack.js";

const run = promisify(execFile);
const FLEET_BIN = path.join(REPO, "fleet-cli/bin/jetson-fleet.js");
const DEVICE = "upd-1";
const ARCH = process.arch === "arm64" ? "arm64" : "x64";

let stack: TestStack;
let mcp: Client;
let bridge: LocalBridge;
let updateKey: string;

/** `jetson-fleet` as the operator runs it, against this stack's Worker. */
async function fleet(...args: string[]): Promise<unknown> {
  const { stdout } = await run(process.execPath, [FLEET_BIN, ...args], {
    env: { ...process.env, JETSON_FLEET_URL: stack.worker.url, JETSON_FLEET_TOKEN: stack.worker.fleetToken },
  });
  return JSON.parse(stdout);
}

/** Builds the bridge's single file as release `version` (the same build a device gets). */
async function build(version: string): Promise<string> {
  const outfile = path.join(stack.dir, `jetson-bridge-${version}.mjs`);
  await run(process.execPath, ["--import", "tsx", "build.ts", "--version", version, "--outfile", outfile], { cwd: path.join(REPO, "device-bridge") });
  return outfile;
}

async function signAndPublish(version: string, bundle: string, keyFile = path.join(stack.dir, "update.key")): Promise<void> {
  await fleet("release", "sign", "--key", keyFile, "--bundle", bundle, "--version", version, "--arch", ARCH);
  await fleet("release", "publish", "--bundle", bundle);
}

/** Runs `action` on the device through the fleet API; settles with its answer. */
async function invoke(action: string, args: Record<string, unknown>): Promise<unknown> {
  const response = await fetch(`${stack.worker.url}/api/devices/${DEVICE}/actions/${action}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${stack.worker.fleetToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ args, timeoutMs: 120_000 }),
  });
  return response.json();
}

const update = (args: Record<string, unknown>) => invoke("bridge.update", args);

const summary = () => stack.worker.api<DeviceSummary>(`/api/devices/${DEVICE}`);

/** Until the device's summary (its reported state) satisfies `ok`: the state arrives after the bridge reconnects. */
async function summaryWhen(ok: (device: DeviceSummary) => boolean): Promise<DeviceSummary> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const device = await summary();
    if (ok(device)) return device;
    if (Date.now() > deadline) throw new Error(`${DEVICE}'s summary never matched: ${JSON.stringify(device.state)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every file under `dir` whose content is exactly `bytes`. */
async function filesHolding(dir: string, bytes: Buffer): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if ((await readFile(file)).equals(bytes)) found.push(file);
  }
  return found;
}

beforeAll(async () => {
  stack = await TestStack.start();
  mcp = await stack.mcp();
  ({ publicKey: updateKey } = (await fleet("release", "keygen", "--key", path.join(stack.dir, "update.key"))) as { publicKey: string });
  bridge = await stack.addBridge(DEVICE, "orin-nano-super-jp6", {
    // As provisioning leaves a device: the build in place, no release installed beside it yet.
    installed: await build("1.0.0"),
    extraConfig: { updateKey },
  });
});

afterAll(async () => {
  await mcp?.close();
  await stack?.stop();
});

describe("bridge updates over the tunnel, signed, with rollback", () => {
  it("pins the fleet's update key on a device that enrolls after it was made", async () => {
    const { code } = (await fleet("enroll-code", "--device", "upd-enrolled")) as { code: string };
    const configFile = path.join(stack.dir, "enrolled.json");
    await run(process.execPath, [BRIDGE_BIN, "enroll", "--url", stack.worker.url, "--code", code, "--config", configFile]);
    expect(JSON.parse(await readFile(configFile, "utf8"))).toMatchObject({ updateKey });
  });

  it("updates a device to a new build through a fleet run: it restarts on the new version, online, and only then answers", async () => {
    expect((await summary()).state?.bridgeVersion).toBe("1.0.0");
    await signAndPublish("1.1.0", await build("1.1.0"));

    const kept = bridge.running.nextLine(/bridge 1\.1\.0 passed its health check/, 120_000);
    const result = (await mcp.callTool(
      {
        name: "start_fleet_run",
        arguments: { selector: `id:${DEVICE}`, action: "bridge.update", args: { version: "1.1.0" }, canary: { selector: `id:${DEVICE}` }, confirm: true, waitSeconds: 50 },
      },
      undefined,
      { timeout: 90_000 },
    )) as CallToolResult;
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const fleetRun = result.structuredContent as FleetRun;
    expect(fleetRun.state).toBe("succeeded");
    expect(fleetRun.devices).toMatchObject([{ device: DEVICE, canary: true, state: "succeeded", data: { status: "updated", from: "1.0.0", to: "1.1.0" } }]);
    // The answer came from the new bridge, after its health check.
    await kept;

    const device = await summaryWhen((d) => d.state?.update?.version === "1.1.0");
    expect(device).toMatchObject({ online: true, state: { bridgeVersion: "1.1.0", update: { version: "1.1.0", from: "1.0.0", outcome: "updated" } } });
    expect(await bridge.releases.linked("current")).toBe("1.1.0");

    // The ledger keeps the steps: the last progress the old bridge reported, and the new one's answer.
    const { commands } = await stack.worker.api<{ commands: CommandRecord[] }>(`/api/devices/${DEVICE}/commands`);
    const command = commands.find((c) => c.action === "bridge.update");
    expect(await stack.worker.api<CommandDetail>(`/api/devices/${DEVICE}/commands/${command?.id}`)).toMatchObject({
      state: "succeeded",
      progress: { message: "restarting into 1.1.0" },
      outcome: { ok: true, data: { status: "updated", from: "1.0.0", to: "1.1.0" } },
    });
  });

  it("rolls back a broken build that exits at start: the canary fails, the device is online again on the old version and reports why", async () => {
    const broken = path.join(stack.dir, "jetson-bridge-1.2.0.mjs");
    await writeFile(broken, "throw new Error('this build is broken');\n");
    await signAndPublish("1.2.0", broken);

    const rolledBack = bridge.running.nextLine(/rolled back to 1\.1\.0/, 120_000);
    const result = (await mcp.callTool(
      {
        name: "start_fleet_run",
        arguments: { selector: `id:${DEVICE}`, action: "bridge.update", args: { version: "1.2.0" }, canary: { selector: `id:${DEVICE}` }, confirm: true, waitSeconds: 50 },
      },
      undefined,
      { timeout: 90_000 },
    )) as CallToolResult;
    expect(result.structuredContent).toMatchObject({
      state: "canary_failed",
      devices: [{ device: DEVICE, state: "failed", error: { code: "handler_failed", message: expect.stringMatching(/^Bridge 1\.2\.0 was rolled back to 1\.1\.0: bridge 1\.2\.0 exited with code 1 before it passed its health check/) } }],
    });
    await rolledBack;

    const device = await summaryWhen((d) => d.state?.update?.version === "1.2.0");
    expect(device).toMatchObject({
      online: true,
      state: { bridgeVersion: "1.1.0", update: { version: "1.2.0", from: "1.1.0", outcome: "rolled-back", reason: expect.stringMatching(/exited with code 1 before it passed its health check/) } },
    });
    expect(await bridge.releases.linked("current")).toBe("1.1.0");
    const { entries } = await stack.worker.api<{ entries: AuditEntry[] }>(`/api/audit?device=${DEVICE}`);
    expect(entries.filter((e) => e.caller === `device:${DEVICE}`)).toMatchObject([
      { action: "bridge.update", args: { version: "1.2.0", from: "1.1.0" }, outcome: "failed", error: expect.stringMatching(/^rolled back to 1\.1\.0: bridge 1\.2\.0 exited/) },
      { action: "bridge.update", args: { version: "1.1.0", from: "1.0.0" }, outcome: "succeeded" },
    ]);
    const ping = (await mcp.callTool({ name: "system_ping", arguments: { device: DEVICE } })) as CallToolResult;
    expect(ping.structuredContent).toMatchObject({ bridgeVersion: "1.1.0" });
  });

  it("refuses a bundle altered in the cloud's store, and a downgrade not asked for, changing nothing", async () => {
    const bundle = path.join(stack.dir, "jetson-bridge-1.3.0.mjs");
    await writeFile(bundle, "// release 1.3.0, altered in the store after it was published\n");
    await signAndPublish("1.3.0", bundle);
    // Whoever holds the Worker's storage rewrites the published bundle (same size, other bytes).
    const stored = await filesHolding(path.join(stack.dir, "worker-state"), await readFile(bundle));
    expect(stored).toHaveLength(1);
    await writeFile(stored[0] ?? "", (await readFile(bundle, "utf8")).replace("altered", "ALTERED"));

    const tampered = await update({ version: "1.3.0" });
    expect(tampered).toMatchObject({ ok: false, error: { code: "permission_denied", message: expect.stringMatching(/does not match its signed manifest[\s\S]*it was altered/) } });
    await signAndPublish("1.0.0", path.join(stack.dir, "jetson-bridge-1.0.0.mjs"));
    const downgrade = await update({ version: "1.0.0" });
    expect(downgrade).toMatchObject({ ok: false, error: { code: "invalid_input", message: expect.stringMatching(/a downgrade needs allowDowngrade: true/) } });

    expect(await bridge.releases.linked("current")).toBe("1.1.0");
    expect(await bridge.releases.pending()).toBeUndefined();
    expect((await summary()).state).toMatchObject({ bridgeVersion: "1.1.0", update: { version: "1.2.0", outcome: "rolled-back" } });
  });

  it("follows a rotation of the fleet's update key: a device that pinned the old key installs a release the new key signed, and trusts the new key from then on", async () => {
    const oldKeyFile = path.join(stack.dir, "update.key");
    const newKeyFile = path.join(stack.dir, "update-next.key");
    const rotated = (await fleet("release", "rotate", "--key", oldKeyFile, "--new-key", newKeyFile)) as { key: string; updateKey: string; rotations: number };
    expect(rotated).toMatchObject({ key: newKeyFile, rotations: 1 });
    expect(rotated.updateKey).toBe((await readFile(`${newKeyFile}.pub`, "utf8")).trim());
    expect(rotated.updateKey).not.toBe(updateKey);

    const bundle = await build("1.4.0");
    await expect(signAndPublish("1.4.0", bundle, oldKeyFile)).rejects.toThrow(/not signed by the fleet's update key/);
    await signAndPublish("1.4.0", bundle, newKeyFile);
    expect(await update({ version: "1.4.0" })).toMatchObject({ ok: true, data: { status: "updated", from: "1.1.0", to: "1.4.0" } });
    expect(await bridge.releases.trustedKey(updateKey)).toBe(rotated.updateKey);
    expect(await summaryWhen((d) => d.state?.update?.version === "1.4.0")).toMatchObject({ online: true, state: { bridgeVersion: "1.4.0" } });
  });

  it("answers a telemetry.watch that the update's restart cut off that the restart stopped it, not with the samples it took", async () => {
    await signAndPublish("1.5.0", await build("1.5.0"), path.join(stack.dir, "update-next.key"));
    const watch = invoke("telemetry.watch", { seconds: 20 });
    // Until the device acknowledged the watch: it runs.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { commands } = await stack.worker.api<{ commands: CommandRecord[] }>(`/api/devices/${DEVICE}/commands`);
      if (commands.some((c) => c.action === "telemetry.watch" && c.state === "running")) break;
      if (Date.now() > deadline) throw new Error("the device never started the watch");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    expect(await update({ version: "1.5.0" })).toMatchObject({ ok: true, data: { status: "updated", from: "1.4.0", to: "1.5.0" } });
    expect(await watch).toMatchObject({
      ok: false,
      error: { code: "handler_failed", message: "telemetry.watch was stopped because the bridge restarted (bridge.update) while it ran; run it again." },
    });
  });

  it("rolls back a release that ends with 0 by itself on trial (an empty bundle): the device does not stay offline, and is online again on the old version", async () => {
    const running = await bridge.releases.linked("current");
    const empty = path.join(stack.dir, "jetson-bridge-1.6.0.mjs");
    await writeFile(empty, "// release 1.6.0: nothing keeps its event loop busy, so its process ends with 0 at once\n");
    await signAndPublish("1.6.0", empty, path.join(stack.dir, "update-next.key"));

    expect(await update({ version: "1.6.0" })).toMatchObject({
      ok: false,
      error: { code: "handler_failed", message: expect.stringMatching(/rolled back to .*: bridge 1\.6\.0 ended by itself, with no stop asked for, before it passed its health check/) },
    });
    expect(await summaryWhen((d) => d.state?.update?.version === "1.6.0")).toMatchObject({ online: true, state: { bridgeVersion: running, update: { outcome: "rolled-back" } } });
    expect(await bridge.releases.linked("current")).toBe(running);
    expect(await bridge.releases.pending()).toBeUndefined();
  });
});
