import { execFile } from "node:child_process";
import { copyFile, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalBridge, REPO } from "../../scripts/local-stack.js";
import { TestStack } from "../support/stack.js";

const run = promisify(execFile);
const SINGLE_FILE = path.join(REPO, "device-bridge/dist/jetson-bridge.mjs");

let stack: TestStack;
let mcp: Client;

beforeAll(async () => {
  await run("npm", ["run", "build", "-w", "@jetson/device-bridge"], { cwd: REPO });
  stack = await TestStack.start();
  mcp = await stack.mcp();
});

afterAll(async () => {
  await mcp?.close();
  await stack?.stop();
});

describe("the single-file bridge build", () => {
  it("prints its version", async () => {
    const { version } = JSON.parse(await readFile(path.join(REPO, "device-bridge/package.json"), "utf8")) as { version: string };
    const { stdout } = await run(process.execPath, [SINGLE_FILE, "--version"]);
    expect(stdout.trim()).toBe(version);
  });

  it("serves a device on its own, with no node_modules beside it", async () => {
    // A copy outside the repository, as on a device: nothing to resolve packages from.
    const installed = path.join(stack.dir, "opt/jetson-bridge.mjs");
    await mkdir(path.dirname(installed), { recursive: true });
    await copyFile(SINGLE_FILE, installed);
    const device = await stack.worker.provision("single-file-1");
    const bridge = await LocalBridge.create({
      worker: stack.worker,
      device,
      board: "xavier-nx-jp51",
      dir: path.join(stack.dir, "single-file-1"),
      bin: installed,
    });
    stack.bridges.set("single-file-1", bridge);
    await bridge.start();
    const info = (await mcp.callTool({ name: "system_info", arguments: { device: "single-file-1" } })) as CallToolResult;
    expect(info.structuredContent).toMatchObject({ hostname: "single-file-1", soc: "tegra194" });
    expect((info.structuredContent as { jetpack?: string }).jetpack).toMatch(/^5\./);
  });
});
