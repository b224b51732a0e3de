import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { generate } from "mqtt-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SIM_BOARDS } from "../../device-bridge/sim/index.js";
import { LOCAL_FLEET } from "../../scripts/local-fleet.js";
import { TestStack } from "../support/stack.js";
import { waitFor } from "../support/eventually.js";

let stack: TestStack;
let mcp: Client;

beforeAll(async () => {
  stack = await TestStack.start();
  // The fleet `npm start` runs: every simulated board, each with its own bridge.
  for (const { id, board } of LOCAL_FLEET) await stack.addBridge(id, board);
  mcp = await stack.mcp();
});

afterAll(async () => {
  await mcp?.close();
  await stack?.stop();
});

async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await mcp.callTool({ name, arguments: args })) as CallToolResult;
}

function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === "text" ? c.text : "")).join("");
}

describe("the hosted MCP endpoint, end to end", () => {
  it("generates tools from the catalogue, with output schemas and hints", async () => {
    const { tools } = await mcp.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    for (const name of ["list_devices", "get_device", "system_info", "system_ping", "telemetry_watch"]) {
      expect(byName.get(name)?.outputSchema, name).toBeDefined();
    }
    expect(byName.get("system_info")?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(byName.get("system_info")?.inputSchema.required).toContain("device");
  });

  it("system_info returns what the simulated device's root holds", async () => {
    const result = await call("system_info", { device: "camera-7" });
    expect(result.isError, text(result)).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      hostname: "camera-7",
      board: "NVIDIA Jetson AGX Orin Developer Kit",
      soc: "tegra234",
      cpuCount: 12,
    });
    expect((result.structuredContent as { l4t: string }).l4t).toMatch(/^36\./);
    expect((result.structuredContent as { jetpack: string }).jetpack).toMatch(/^6\./);
    const nano = await call("system_info", { device: "orin-nano-1" });
    expect(nano.structuredContent).toMatchObject({ hostname: "orin-nano-1", cpuCount: 6 });
  });

  it("lists the fleet with presence and reported state", async () => {
    const result = await call("list_devices", {});
    const devices = (result.structuredContent as { devices: Array<{ id: string; online: boolean; state?: { board?: string } }> }).devices;
    expect(devices.find((d) => d.id === "camera-7")).toMatchObject({ online: true, state: { board: "NVIDIA Jetson AGX Orin Developer Kit" } });
    expect(devices.find((d) => d.id === "orin-nano-1")?.online).toBe(true);
  });

  it("lists the local fleet's seven boards, each with its board and JetPack", async () => {
    const result = await call("list_devices", {});
    const devices = (result.structuredContent as { devices: Array<{ id: string; online: boolean; state?: { board?: string; jetpack?: string } }> }).devices;
    expect(LOCAL_FLEET).toHaveLength(7);
    for (const { id, board } of LOCAL_FLEET) {
      expect(devices.find((d) => d.id === id), id).toMatchObject({ online: true, state: { board: SIM_BOARDS[board].model, jetpack: SIM_BOARDS[board].jetpack } });
    }
  });

  it("reads the AGX Thor's GPU load through nvidia-smi and its EMC clock from bwmgr", async () => {
    const sample = (await call("telemetry_now", { device: "agx-thor-1" })).structuredContent as { gpu?: { loadPct?: number; freqMHz?: number }; emc?: { freqMHz?: number } };
    expect(sample.gpu?.loadPct).toBeGreaterThanOrEqual(0);
    expect(sample.gpu?.freqMHz).toBeGreaterThan(0);
    expect(sample.emc?.freqMHz).toBe(665);
    const callLog = await readFile(path.join(stack.bridges.get("agx-thor-1")?.root ?? "", "var/log/sim-calls.log"), "utf8");
    expect(callLog).toContain('"program":"nvidia-smi"');
  });

  it("turns the bridge's progress messages into MCP progress notifications", async () => {
    const progress: number[] = [];
    const result = (await mcp.callTool(
      { name: "telemetry_watch", arguments: { device: "orin-nano-1", seconds: 2, intervalMs: 500 } },
      undefined,
      { onprogress: (p) => progress.push(p.progress) },
    )) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const samples = (result.structuredContent as { samples: Array<{ cpus?: unknown[] }> }).samples;
    expect(samples.length).toBe(4);
    expect(samples[0]?.cpus).toHaveLength(6);
    expect(progress).toEqual([1, 2, 3, 4]);
  });

  it("says a device is offline and when it was last seen", async () => {
    await stack.worker.provision("never-connected");
    const result = await call("system_info", { device: "never-connected" });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/never-connected is offline \(never seen\)/);
    const unknown = await call("system_info", { device: "no-such-device" });
    expect(text(unknown)).toMatch(/No such device/);
  });

  it("refuses a bridge with a wrong token at CONNECT, and sends it nothing", async () => {
    const impostor = await stack.addBridge("impostor-1", "orin-nano-super-jp6", { token: "w".repeat(43), start: false });
    const process = impostor.launch();
    await process.waitForLine(/refused this device's credentials/);
    const device = await call("get_device", { device: "impostor-1" });
    expect(device.structuredContent).toMatchObject({ online: false });
    const ping = await call("system_ping", { device: "impostor-1" });
    expect(text(ping)).toMatch(/offline/);
    expect(process.output).not.toMatch(/connected to|command/);
    await impostor.stop("SIGKILL");
  });
});

describe("failures", () => {
  it("returns a clear error when the bridge is killed in the middle of a command", async () => {
    const bridge = await stack.addBridge("doomed-1", "agx-orin-jp6");
    // Frozen, the bridge keeps its socket open but never answers: the command is delivered, then the process dies.
    bridge.running.signal("SIGSTOP");
    const pending = call("system_ping", { device: "doomed-1", timeoutMs: 4_000 });
    await waitFor(async () => {
      const { commands } = await stack.worker.api<{ commands: Array<{ state: string }> }>("/api/devices/doomed-1/commands");
      return commands[0]?.state === "sent";
    });
    await bridge.stop("SIGKILL");
    const result = await pending;
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/system\.ping timed out after 4000 ms: the device went offline/);
    const { commands } = await stack.worker.api<{ commands: Array<{ state: string }> }>("/api/devices/doomed-1/commands");
    expect(commands[0]?.state).toBe("timed_out");
  });

  it("closes only the connection that sends a malformed frame; other devices keep working", async () => {
    const device = await stack.worker.provision("mangled-1");
    const ws = new WebSocket(`${stack.worker.url.replace("http", "ws")}${device.tunnelPath}`, ["mqtt"]);
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    const connack = new Promise<Buffer>((resolve) => ws.once("message", (data) => resolve(data as Buffer)));
    ws.send(generate({ cmd: "connect", protocolVersion: 5, clientId: "mangled-1", username: "mangled-1", password: Buffer.from(device.token), keepalive: 60, clean: true }));
    expect((await connack)[0]).toBe(0x20);
    ws.send(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3]));
    expect(await closed).toBe(1002);
    const ping = await call("system_ping", { device: "camera-7" });
    expect(ping.structuredContent).toMatchObject({ pong: true });
  });

  it("a bridge reconnects by itself after the Worker restarts", async () => {
    const bridge = stack.bridges.get("orin-nano-1");
    if (!bridge) throw new Error("missing bridge");
    const reconnected = bridge.running.nextLine(/connected to /);
    await stack.worker.restart();
    await reconnected;
    await mcp.close();
    mcp = await stack.mcp();
    const ping = await call("system_ping", { device: "orin-nano-1" });
    expect(ping.structuredContent).toMatchObject({ pong: true });
  });
});
