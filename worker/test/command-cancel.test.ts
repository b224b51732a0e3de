import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { ApiToken, AuditEntry, CommandDetail } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { Fleet } from "../src/fleet.js";
import { ADMIN, createFleet, DeviceClient, json, provision, signIn } from "./device-client.js";
import { mcpRequest } from "./mcp-request.js";
import { rest } from "./rest-call.js";

const WEEK_MS = 7 * 24 * 3_600_000;
const WITHDRAWN = /^Withdrawn before delivery: the token (tok_\S+) it was queued under was revoked\.$/;

const stub = (device: string) => env.DEVICE.get(env.DEVICE.idFromName(`local/${device}`));
const deviceTokens = new Map<string, string>();

async function admin(): Promise<string> {
  await signIn();
  return ADMIN.Authorization?.slice("Bearer ".length) ?? "";
}

async function newToken(name: string, scopes: string[]): Promise<ApiToken & { token: string }> {
  const created = await rest<ApiToken & { token: string }>(await admin(), "POST", "/api/tokens", { name, scopes });
  expect(created.status).toBe(201);
  return created.body;
}

async function revoke(token: ApiToken & { token: string }): Promise<void> {
  expect((await rest(await admin(), "DELETE", `/api/tokens/${token.id}`)).status).toBe(204);
  expect((await rest(token.token, "GET", "/api/devices")).status).toBe(401);
}

/** A device provisioned now and never connected: what `token` asks of it waits in its ledger. */
async function offlineDevice(device: string): Promise<void> {
  deviceTokens.set(device, await provision(device));
}

/** Queues an action for the offline device under `token`; answers the command's id. */
async function queue(token: string, device: string, action: string, body: Record<string, unknown> = {}): Promise<string> {
  const queued = await rest<{ queued: { commandId: string } }>(token, "POST", `/api/devices/${device}/actions/${action}`, { ...body, queue: { expiresInMs: WEEK_MS } });
  expect(queued.status).toBe(202);
  return queued.body.queued.commandId;
}

/** The device connects as the bridge does, listening on its command and cancel topics. */
async function bridgeLink(device: string): Promise<DeviceClient> {
  const client = await DeviceClient.open(`/tunnel/local/${device}`);
  expect(await client.connect(device, deviceTokens.get(device) ?? "")).toMatchObject({ reasonCode: 0 });
  await client.subscribeLikeBridge(device);
  return client;
}

let nextMessageId = 100;

function answerPing(client: DeviceClient, device: string, id: string): void {
  client.publishJson(`jetson/${device}/result`, { id, ok: true, data: { pong: true, at: 1, bridgeVersion: "t" }, startedAt: 1, endedAt: 2 }, nextMessageId++);
}

/** The next command the device gets is a ping sent now: nothing older was left to deliver. */
async function nothingElseComes(client: DeviceClient, device: string): Promise<void> {
  const ping = rest<{ ok: boolean }>(await admin(), "POST", `/api/devices/${device}/actions/system.ping`, { timeoutMs: 10_000 });
  const next = await client.next("publish");
  expect(next.topic).toBe(`jetson/${device}/command`);
  const command = json(next);
  expect(command.action).toBe("system.ping");
  answerPing(client, device, String(command.id));
  expect((await ping).body).toMatchObject({ ok: true });
}

async function detail(device: string, id: string): Promise<CommandDetail> {
  return (await rest<CommandDetail>(await admin(), "GET", `/api/devices/${device}/commands/${id}`)).body;
}

async function audit(query: string): Promise<AuditEntry[]> {
  return (await rest<{ entries: AuditEntry[] }>(await admin(), "GET", `/api/audit?${query}`)).body.entries;
}

/** Reads until `ok` holds (or 5 s pass, answering the last read): for what the device object finishes after its link is served. */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("a command queued under a token that is revoked before the device comes back", () => {
  it("is withdrawn and never delivered: the ledger and the audit trail say so, and a live token's queued command is still delivered", async () => {
    const device = "rv-1";
    await offlineDevice(device);
    const stolen = await newToken("stolen", ["read", "operate"]);
    const live = await newToken("live", ["read", "operate"]);
    const reboot = await queue(stolen.token, device, "power.reboot", { confirm: true });
    const ping = await queue(live.token, device, "system.ping");
    await revoke(stolen);

    const board = await bridgeLink(device);
    const first = json(await board.next("publish"));
    expect(first).toMatchObject({ id: ping, action: "system.ping", requestedBy: `token:${live.id}` });
    answerPing(board, device, ping);

    const withdrawn = await detail(device, reboot);
    expect(withdrawn).toMatchObject({ state: "cancelled", action: "power.reboot", requestedBy: `token:${stolen.id}` });
    expect(withdrawn.outcome).toMatchObject({ ok: false, error: { code: "cancelled", message: expect.stringMatching(WITHDRAWN) } });
    expect(JSON.stringify(withdrawn.outcome)).toContain(stolen.id);
    const rows = await eventually(
      () => audit(`device=${device}&action=power.reboot`),
      (entries) => entries.some((entry) => entry.outcome === "failed"),
    );
    expect(rows.map((entry) => [entry.caller, entry.commandId, entry.outcome])).toEqual([
      [`token:${stolen.id}`, reboot, "failed"],
      [`token:${stolen.id}`, reboot, "queued"],
    ]);
    expect(rows[0]?.error).toBe(`cancelled: Withdrawn before delivery: the token ${stolen.id} it was queued under was revoked.`);
    await nothingElseComes(board, device);
    expect((await eventually(() => detail(device, ping), (command) => command.state === "succeeded")).state).toBe("succeeded");
  });

  it("is withdrawn when an OAuth caller queued it and the token that approved its grant is revoked", async () => {
    const device = "rv-oauth";
    await offlineDevice(device);
    const approver = await newToken("approver", ["read", "operate"]);
    const client = new Fleet(env, { fleet: "local", kind: "oauth", id: "client-rv", user: approver.id, scopes: ["read", "operate"] });
    const queued = await client.invoke(device, { action: "system.ping", args: {}, timeoutMs: 10_000, queue: { expiresInMs: WEEK_MS } });
    const commandId = queued.ok ? "" : (queued.queued?.commandId ?? "");
    expect(commandId).not.toBe("");
    await revoke(approver);

    const board = await bridgeLink(device);
    const ended = await eventually(
      () => detail(device, commandId),
      (command) => command.state !== "queued",
    );
    expect(ended).toMatchObject({ state: "cancelled", outcome: { ok: false, error: { message: expect.stringMatching(WITHDRAWN) } } });
    expect(JSON.stringify(ended.outcome)).toContain(approver.id);
    await nothingElseComes(board, device);
  });

  it("is delivered as before when it was queued before commands named their token", async () => {
    const device = "rv-older";
    await offlineDevice(device);
    const older = await newToken("older", ["read", "operate"]);
    const commandId = await queue(older.token, device, "system.ping");
    await runInDurableObject(stub(device), (_object, state) => {
      state.storage.sql.exec("UPDATE queued_commands SET credential = NULL WHERE id = ?", commandId);
    });
    await revoke(older);

    const board = await bridgeLink(device);
    expect(json(await board.next("publish"))).toMatchObject({ id: commandId, action: "system.ping" });
  });
});

type Via = "REST" | "MCP";

/** Cancels a command through REST or the MCP tool: the command as answered, or the refusal's status (REST) and text. */
async function cancel(via: Via, token: string, device: string, commandId: string): Promise<{ detail?: CommandDetail; status?: number; error?: string }> {
  if (via === "REST") {
    const answer = await rest<CommandDetail & { error?: string }>(token, "DELETE", `/api/devices/${device}/commands/${commandId}`);
    return answer.status === 200 ? { detail: answer.body } : { status: answer.status, error: answer.body.error };
  }
  const result = (await mcpRequest(token, "tools/call", { name: "cancel_command", arguments: { device, commandId } })).body.result;
  return result?.isError ? { error: result.content?.[0]?.text } : { detail: result?.structuredContent as CommandDetail };
}

describe.each<Via>(["REST", "MCP"])("cancelling a command through %s", (via) => {
  const name = (device: string) => `${device}-${via.toLowerCase()}`;

  it("cancels a queued command, which is then never delivered; cancelled already, it is refused naming its state", async () => {
    const device = name("cq");
    await offlineDevice(device);
    const operator = await newToken(`operator ${via}`, ["read", "operate"]);
    const commandId = await queue(operator.token, device, "power.reboot", { confirm: true });

    const cancelled = await cancel(via, operator.token, device, commandId);
    expect(cancelled.detail).toMatchObject({ id: commandId, state: "cancelled", outcome: { ok: false, error: { code: "cancelled", message: `power.reboot was cancelled by token:${operator.id}.` } } });
    expect(cancelled.detail).toEqual(await detail(device, commandId));
    const again = await cancel(via, operator.token, device, commandId);
    expect(again.error).toBe(`Command ${commandId} has already ended (cancelled): there is nothing to cancel.`);
    if (via === "REST") expect(again.status).toBe(409);
    expect((await audit(`device=${device}&action=command.cancel`)).map((entry) => [entry.caller, entry.args, entry.outcome])).toEqual([
      [`token:${operator.id}`, { commandId, action: "power.reboot" }, "succeeded"],
    ]);

    const board = await bridgeLink(device);
    await nothingElseComes(board, device);
  });

  it("cancels a command the device runs: the device is told to stop it, and the waiting caller is answered cancelled", async () => {
    const device = name("cr");
    await offlineDevice(device);
    const board = await bridgeLink(device);
    const call = rest<{ ok: boolean; error?: { code: string } }>(await admin(), "POST", `/api/devices/${device}/actions/system.ping`, { timeoutMs: 30_000 });
    const command = json(await board.next("publish"));
    board.publishJson(`jetson/${device}/ack`, { id: command.id }, nextMessageId++);
    await board.next("puback");
    const commandId = String(command.id);
    expect((await detail(device, commandId)).state).toBe("running");

    const operator = await newToken(`runner ${via}`, ["read", "operate"]);
    const cancelled = await cancel(via, operator.token, device, commandId);
    expect(cancelled.detail).toMatchObject({ id: commandId, state: "cancelled" });
    const told = await board.next("publish");
    expect(told.topic).toBe(`jetson/${device}/cancel`);
    expect(json(told)).toEqual({ id: commandId });
    expect((await call).body).toMatchObject({ ok: false, error: { code: "cancelled" } });
    expect((await audit(`device=${device}&action=command.cancel`)).map((entry) => entry.caller)).toEqual([`token:${operator.id}`]);
  });

  it("refuses a read token and changes nothing", async () => {
    const device = name("cs");
    await offlineDevice(device);
    const commandId = await queue(await admin(), device, "system.ping");
    const reader = await newToken(`reader ${via}`, ["read"]);

    const refused = await cancel(via, reader.token, device, commandId);
    expect(refused.error).toBe('This needs the "operate" scope.');
    if (via === "REST") expect(refused.status).toBe(403);
    expect((await detail(device, commandId)).state).toBe("queued");
    expect(await audit(`device=${device}&action=command.cancel`)).toEqual([]);
  });

  it("answers another fleet's device as a missing one, and an unknown command as missing", async () => {
    const device = name("ct");
    await offlineDevice(device);
    const commandId = await queue(await admin(), device, "system.ping");
    const other = await createFleet(`cancel-other-${via.toLowerCase()}`);

    const theirs = await cancel(via, other, device, commandId);
    expect(theirs).toEqual(await cancel(via, other, "no-such-device", commandId));
    expect(theirs.error).toBe("No such device in this fleet.");
    if (via === "REST") expect(theirs.status).toBe(404);
    const unknown = await cancel(via, await admin(), device, "cNoSuchCommand00");
    expect(unknown.error).toBe("No such command on this device.");
    if (via === "REST") expect(unknown.status).toBe(404);
    expect((await detail(device, commandId)).state).toBe("queued");
  });
});
