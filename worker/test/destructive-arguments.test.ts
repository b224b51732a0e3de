import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createFleet, DeviceClient, json } from "./device-client.js";
import { mcpRequest } from "./mcp-request.js";

const FLEET = "hostnet";
const DEVICE = "cam-host";
const IMAGE = "nvcr.io/nvidia/l4t-base:r36.2.0";

function rest(token: string, method: string, path: string, body?: unknown) {
  return exports.default.fetch(`http://w${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

let admin: string;
let device: DeviceClient;

async function commandsSent(): Promise<Array<{ action: string; args: Record<string, unknown> }>> {
  const response = await rest(admin, "GET", `/api/devices/${DEVICE}/commands`);
  return ((await response.json()) as { commands: Array<{ action: string; args: Record<string, unknown> }> }).commands;
}

function callRun(args: Record<string, unknown>) {
  return mcpRequest(admin, "tools/call", { name: "containers_run", arguments: { device: DEVICE, image: IMAGE, ...args } });
}

/** Calls containers_run, answering the command the device receives as a bridge would. */
async function runContainer(args: Record<string, unknown>) {
  const answered = device.next("publish").then((packet) => {
    const command = json(packet);
    const data = { id: "0123456789ab", name: "viewer", state: "running", warnings: [] };
    device.publishJson(`jetson/${DEVICE}/result`, { id: command.id, ok: true, data, startedAt: 1, endedAt: 2 });
    return command;
  });
  const [result, command] = await Promise.all([callRun(args), answered]);
  return { result: result.body.result, command };
}

beforeAll(async () => {
  admin = await createFleet(FLEET);
  const created = await rest(admin, "POST", "/api/devices", { id: DEVICE });
  expect(created.status).toBe(201);
  const { token } = (await created.json()) as { token: string };
  device = await DeviceClient.open(`/tunnel/${FLEET}/${DEVICE}`);
  expect(await device.connect(DEVICE, token)).toMatchObject({ reasonCode: 0 });
  await device.subscribeCommands(DEVICE);
});

describe("a container on the host's network needs confirmation, like any destructive action", () => {
  it("offers confirm on containers_run and says it may be destructive", async () => {
    const { tools } = (await mcpRequest(admin, "tools/list")).body.result as { tools: Array<{ name: string; inputSchema: { properties: object }; annotations: object }> };
    const run = tools.find((t) => t.name === "containers_run");
    expect(Object.keys(run?.inputSchema.properties ?? {})).toContain("confirm");
    expect(run?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
  });

  it("refuses network: host without confirm, sending nothing to the device, and runs it with confirm", async () => {
    for (const network of ["host", "HOST"]) {
      const refused = (await callRun({ network, timeoutMs: 1_000 })).body.result;
      expect(refused?.isError, network).toBe(true);
      expect(refused?.content?.[0]?.text, network).toMatch(/host's network.*"confirm": true/);
    }
    expect(await commandsSent()).toEqual([]);

    const confirmed = await runContainer({ network: "host", confirm: true });
    expect(confirmed.result?.isError).toBeFalsy();
    expect(confirmed.command).toMatchObject({ action: "containers.run", args: { image: IMAGE, network: "host" } });
  });

  it("still runs a container on its own network without confirm", async () => {
    const { result, command } = await runContainer({ network: "bridge" });
    expect(result?.isError).toBeFalsy();
    expect(command).toMatchObject({ action: "containers.run", args: { network: "bridge" } });
  });

  it("holds on the REST route and for fleet runs too", async () => {
    const before = (await commandsSent()).length;
    const direct = await rest(admin, "POST", `/api/devices/${DEVICE}/actions/containers.run`, { args: { image: IMAGE, network: "host" }, timeoutMs: 1_000 });
    expect(direct.status).toBe(403);
    expect(((await direct.json()) as { error: { message: string } }).error.message).toMatch(/host's network/);
    expect(await commandsSent()).toHaveLength(before);

    const request = { action: "containers.run", args: { image: IMAGE, network: "host" }, selector: `id:${DEVICE}` };
    const plan = (await (await rest(admin, "POST", "/api/runs/plan", request)).json()) as { refusal?: string };
    expect(plan.refusal).toMatch(/host's network.*"confirm": true/);
    const start = await rest(admin, "POST", "/api/runs", request);
    expect(start.status).toBe(403);
    const confirmedPlan = (await (await rest(admin, "POST", "/api/runs/plan", { ...request, confirm: true })).json()) as { refusal?: string };
    expect(confirmedPlan.refusal).toBeUndefined();
  });

  it("holds for ai_serve too, which starts a container with the same network option", async () => {
    const { tools } = (await mcpRequest(admin, "tools/list")).body.result as { tools: Array<{ name: string; inputSchema: { properties: object }; annotations: object }> };
    const serve = tools.find((t) => t.name === "ai_serve");
    expect(Object.keys(serve?.inputSchema.properties ?? {})).toContain("confirm");
    expect(serve?.annotations).toMatchObject({ destructiveHint: true });

    const before = (await commandsSent()).length;
    const args = { model: "yolov8n.onnx", image: IMAGE, network: "host" };
    const refused = (await mcpRequest(admin, "tools/call", { name: "ai_serve", arguments: { device: DEVICE, ...args, timeoutMs: 1_000 } })).body.result;
    expect(refused?.isError).toBe(true);
    expect(refused?.content?.[0]?.text).toMatch(/host's network.*"confirm": true/);
    const direct = await rest(admin, "POST", `/api/devices/${DEVICE}/actions/ai.serve`, { args, timeoutMs: 1_000 });
    expect(direct.status).toBe(403);
    expect(await commandsSent()).toHaveLength(before);
  });
});
