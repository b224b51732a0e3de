import { execFile } from "node:child_process";
import { appendFile, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BRIDGE_BIN, LocalBridge, REPO } from "../../scripts/local-stack.js";
import { TestStack } from "../support/stack.js";

const run = promisify(execFile);
const FLEET_BIN = path.join(REPO, "fleet-cli/bin/jetson-fleet.js");

let stack: TestStack;
let mcp: Client;

beforeAll(async () => {
  stack = await TestStack.start();
  mcp = await stack.mcp();
});

afterAll(async () => {
  await mcp?.close();
  await stack?.stop();
});

function enrollWithCli(code: string, configFile: string) {
  return run(process.execPath, [BRIDGE_BIN, "enroll", "--url", stack.worker.url, "--code", code, "--config", configFile]);
}

describe("a device enrolls with a one-time code from jetson-fleet", () => {
  let bridge: LocalBridge;
  let code: string;

  it("jetson-bridge enroll writes the credential with mode 0600, and the bridge then connects", async () => {
    const created = await run(process.execPath, [FLEET_BIN, "enroll-code", "--device", "enrolled-1", "--ttl", "600"], {
      env: { ...process.env, JETSON_FLEET_URL: stack.worker.url, JETSON_FLEET_TOKEN: stack.worker.fleetToken },
    });
    ({ code } = JSON.parse(created.stdout) as { code: string });
    bridge = await LocalBridge.create({
      worker: stack.worker,
      device: { id: "enrolled-1", fleet: "local", token: "not-yet-enrolled-placeholder", tunnelPath: "" },
      board: "orin-nano-super-jp6",
      dir: path.join(stack.dir, "enrolled-1"),
    });
    // The stack stops it with the others: left running, its process and simulated board outlived the file.
    stack.bridges.set("enrolled-1", bridge);
    const { stdout } = await enrollWithCli(code, bridge.configFile);
    expect(stdout).toMatch(/Enrolled as enrolled-1 in fleet local/);
    expect((await stat(bridge.configFile)).mode & 0o777).toBe(0o600);
    const config = JSON.parse(await readFile(bridge.configFile, "utf8")) as { token: string; root: string };
    expect(config.token).not.toBe("not-yet-enrolled-placeholder");
    expect(config.root).toBe(bridge.root);
    await bridge.start();
    const info = (await mcp.callTool({ name: "system_info", arguments: { device: "enrolled-1" } })) as CallToolResult;
    expect(info.structuredContent).toMatchObject({ hostname: "enrolled-1" });
  });

  it("refuses the same code a second time, with a clear message", async () => {
    const error = await enrollWithCli(code, path.join(stack.dir, "second.json")).catch((e: { stderr: string; code: number }) => e);
    expect(error).toMatchObject({ code: 1, stderr: expect.stringMatching(/Enrollment refused \(403\): This enrollment code was already used/) });
  });

  it("revoking the device closes its live link and refuses its reconnects", async () => {
    const refused = bridge.running.nextLine(/refused this device's credentials/);
    await stack.worker.api("/api/devices/enrolled-1", { method: "DELETE" });
    await refused;
    const ping = (await mcp.callTool({ name: "system_ping", arguments: { device: "enrolled-1" } })) as CallToolResult;
    expect(ping.isError).toBe(true);
    expect(JSON.stringify(ping.content)).toMatch(/No such device/);
  });
});

describe("hostile arguments", () => {
  const PAYLOADS = ["; rm -rf /", "$(reboot)", "`reboot`", "../../etc/shadow", "/etc/shadow\u0000"];

  it("are refused by every tool, and nothing runs or changes on the device", async () => {
    const bridge = await stack.addBridge("target-1", "agx-orin-jp6");
    const callLog = path.join(bridge.root, "var/log/sim-calls.log");
    const shadow = path.join(bridge.root, "etc/shadow");
    await writeFile(shadow, "root:*:20000:0:99999:7:::\n");
    await appendFile(callLog, "");
    const logBefore = await readFile(callLog, "utf8");
    const { tools } = await mcp.listTools();
    const deviceTools = tools.filter((tool) => tool.name !== "list_devices" && tool.name !== "get_device");
    for (const tool of deviceTools) {
      const fields = Object.keys((tool.inputSchema.properties ?? {}) as Record<string, unknown>).filter((f) => f !== "device");
      for (const payload of PAYLOADS) {
        // Each field in turn, and an extra field the action does not define.
        for (const field of [...fields, "path"]) {
          const result = (await mcp.callTool({ name: tool.name, arguments: { device: "target-1", [field]: payload } })) as CallToolResult;
          expect(result.isError, `${tool.name} ${field}=${JSON.stringify(payload)}`).toBe(true);
        }
      }
    }
    expect(await readFile(callLog, "utf8")).toBe(logBefore);
    expect(await readFile(shadow, "utf8")).toBe("root:*:20000:0:99999:7:::\n");
    const ping = (await mcp.callTool({ name: "system_ping", arguments: { device: "target-1" } })) as CallToolResult;
    expect(ping.structuredContent).toMatchObject({ pong: true });
  });

  it("refuses a 10 MB argument before it reaches any device", async () => {
    const ledger = () => stack.worker.api<{ commands: unknown[] }>("/api/devices/target-1/commands").then((r) => r.commands.length);
    const before = await ledger();
    const response = await fetch(`${stack.worker.url}/mcp`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${stack.worker.fleetToken}`,
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "system_info", arguments: { device: "target-1", note: "x".repeat(10 * 1024 * 1024) } },
      }),
    });
    expect(response.status).toBe(413);
    expect(await ledger()).toBe(before);
  });
});
