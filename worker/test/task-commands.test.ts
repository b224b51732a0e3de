import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { AuditEntry, Caller, CommandDetail } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { Fleet } from "../src/fleet.js";
import { TASKS_EXTENSION, TaskCalls } from "../src/mcp/tasks.js";
import { ADMIN, connectedDevice, DeviceClient, json, provision } from "./device-client.js";
import { type RpcAnswer, rpcRequest } from "./mcp-request.js";
import { rest } from "./rest-call.js";

/** Commands started as MCP tasks: nobody waits for them in memory, so the device's object settles them itself. */
const caller: Caller = { fleet: "local", kind: "token", id: "tok_tasks", scopes: ["read", "operate"] };

async function online(id: string): Promise<DeviceClient> {
  const client = await connectedDevice(id);
  await client.subscribeCommands(id);
  return client;
}

const stub = (device: string) => env.DEVICE.get(env.DEVICE.idFromName(`local/${device}`));

async function ledger(device: string, id: string): Promise<CommandDetail> {
  return JSON.parse((await stub(device).commandDetail(id)) ?? "null") as CommandDetail;
}

async function auditOf(device: string, commandId: string): Promise<AuditEntry | undefined> {
  const response = await exports.default.fetch(`http://w/api/audit?device=${device}`, { headers: ADMIN });
  return ((await response.json()) as { entries: AuditEntry[] }).entries.find((entry) => entry.commandId === commandId);
}

async function tokenWith(scopes: string[]): Promise<string> {
  const created = await rest<{ token: string }>(ADMIN.Authorization?.slice("Bearer ".length) ?? "", "POST", "/api/tokens", { name: `tasks ${scopes.join(" ")}`, scopes });
  return created.body.token;
}

const MODERN = "2026-07-28";

/** telemetry_watch for a minute, called as an MCP task by a 2026-07-28 client that declares the tasks extension. */
async function watchAsTask(token: string, device: string): Promise<RpcAnswer> {
  return rpcRequest(token, MODERN, "tools/call", { name: "telemetry_watch", arguments: { device, seconds: 60, intervalMs: 100 } }, {
    name: "telemetry_watch",
    client: "task-commands",
    capabilities: { extensions: { [TASKS_EXTENSION]: {} } },
  });
}

describe("task commands", () => {
  it("are answered at once, keep the device's progress, and complete their audit row when the result comes", async () => {
    const client = await online("dev-task-run");
    const started = await new Fleet(env, caller).start("dev-task-run", { action: "system.ping", args: {}, timeoutMs: 10_000 });
    if (!started.ok) throw new Error(started.error.message);
    const command = json(await client.next("publish"));
    expect(command.id).toBe(started.commandId);
    expect(await auditOf("dev-task-run", started.commandId)).toMatchObject({ outcome: "pending" });
    client.publishJson("jetson/dev-task-run/progress", { id: command.id, done: 1, total: 2, message: "half" }, 1);
    await client.next("puback");
    expect(await ledger("dev-task-run", started.commandId)).toMatchObject({ state: "sent", progress: { done: 1, total: 2, message: "half" } });
    client.publishJson("jetson/dev-task-run/result", { id: command.id, ok: true, data: { pong: true, at: 1, bridgeVersion: "t" }, startedAt: 1, endedAt: 2 }, 2);
    await client.next("puback");
    expect(await ledger("dev-task-run", started.commandId)).toMatchObject({ state: "succeeded", outcome: { ok: true } });
    expect(await auditOf("dev-task-run", started.commandId)).toMatchObject({ outcome: "succeeded" });
  });

  it("time out at their deadline when the device never answers, by the object's alarm", async () => {
    const client = await online("dev-task-silent");
    const started = await new Fleet(env, caller).start("dev-task-silent", { action: "system.ping", args: {}, timeoutMs: 60_000 });
    if (!started.ok) throw new Error(started.error.message);
    await client.next("publish");
    await runInDurableObject(stub("dev-task-silent"), (_object, state) => {
      state.storage.sql.exec("UPDATE commands SET deadline = ? WHERE id = ?", Date.now() - 1, started.commandId);
      state.storage.sql.exec("UPDATE alarm_duties SET due = ? WHERE name = 'tasks'", Date.now() - 1);
    });
    expect(await runDurableObjectAlarm(stub("dev-task-silent"))).toBe(true);
    expect(await ledger("dev-task-silent", started.commandId)).toMatchObject({ state: "timed_out", outcome: { ok: false, error: { code: "timed_out" } } });
    expect(await auditOf("dev-task-silent", started.commandId)).toMatchObject({ outcome: "failed", error: expect.stringMatching(/^timed_out:/) });
  });

  it("are cancelled in the ledger at once, the device is told, and its later answer keeps the cancel, beside what the device did", async () => {
    const client = await online("dev-task-cancel");
    const fleet = new Fleet(env, caller);
    const started = await fleet.start("dev-task-cancel", { action: "system.ping", args: {}, timeoutMs: 60_000 });
    if (!started.ok) throw new Error(started.error.message);
    await client.next("publish");
    expect(await stub("dev-task-cancel").cancel(started.commandId, "token:tok_tasks")).toBe(true);
    const cancel = await client.next("publish");
    expect(cancel.topic).toBe("jetson/dev-task-cancel/cancel");
    expect(json(cancel)).toEqual({ id: started.commandId });
    // The device had finished before the cancel reached it: the user must not read it as never done.
    const finished = { id: started.commandId, ok: true, data: { pong: true, at: 1, bridgeVersion: "t" }, startedAt: 1, endedAt: 2 };
    client.publishJson("jetson/dev-task-cancel/result", finished, 3);
    await client.next("puback");
    expect(await ledger("dev-task-cancel", started.commandId)).toMatchObject({ state: "cancelled", outcome: { ok: false, error: { code: "cancelled" } }, outcomeOnDevice: { ok: true, data: finished.data } });
    expect(await auditOf("dev-task-cancel", started.commandId)).toMatchObject({ outcome: "failed", error: expect.stringMatching(/^cancelled:/) });
    const task = await new TaskCalls(fleet, {}).get(`device:dev-task-cancel:${started.commandId}`);
    expect(task).toMatchObject({ status: "cancelled", statusMessage: "system.ping was cancelled by token:tok_tasks. The device had already finished it when the cancel came (it succeeded)." });
    // Repeated, or answered again, the device's first answer stands.
    client.publishJson("jetson/dev-task-cancel/result", { ...finished, ok: false, error: { code: "handler_failed", message: "again" } }, 4);
    await client.next("puback");
    expect(await ledger("dev-task-cancel", started.commandId)).toMatchObject({ outcomeOnDevice: { ok: true, data: finished.data } });

    // A device that stopped it on the cancel says only what the ledger already says.
    const stopped = await fleet.start("dev-task-cancel", { action: "system.ping", args: {}, timeoutMs: 60_000 });
    if (!stopped.ok) throw new Error(stopped.error.message);
    await client.next("publish");
    expect(await stub("dev-task-cancel").cancel(stopped.commandId, "token:tok_tasks")).toBe(true);
    await client.next("publish");
    client.publishJson("jetson/dev-task-cancel/result", { id: stopped.commandId, ok: false, error: { code: "cancelled", message: "stopped" }, startedAt: 1, endedAt: 2 }, 5);
    await client.next("puback");
    expect(await ledger("dev-task-cancel", stopped.commandId)).not.toHaveProperty("outcomeOnDevice");
    expect(await stub("dev-task-cancel").cancel("cmd_nosuchcommand", "token:tok_tasks")).toBe(false);
  });

  it("count against the device's 16 commands in flight: past them, a task or a REST call is refused until one ends", async () => {
    const client = await online("dev-task-busy");
    const reader = await tokenWith(["read"]);
    const commands: string[] = [];
    for (let i = 0; i < 16; i++) {
      expect(await watchAsTask(reader, "dev-task-busy")).toMatchObject({ result: { resultType: "task", status: "working" } });
      commands.push(String(json(await client.next("publish")).id));
    }
    expect(await watchAsTask(reader, "dev-task-busy")).toMatchObject({ result: { isError: true, content: [{ text: "dev-task-busy already has 16 commands in flight." }] } });
    const ping = await rest<{ error: { code: string } }>(reader, "POST", "/api/devices/dev-task-busy/actions/system.ping", {});
    expect(ping).toMatchObject({ status: 429, body: { error: { code: "too_busy" } } });

    client.publishJson("jetson/dev-task-busy/result", { id: commands[0], ok: true, data: { samples: [] }, startedAt: 1, endedAt: 2 }, 1);
    await client.next("puback");
    expect(await watchAsTask(reader, "dev-task-busy")).toMatchObject({ result: { resultType: "task", status: "working" } });
    expect(json(await client.next("publish")).action).toBe("telemetry.watch");
  });

  it("are refused for an offline device, and the refusal is audited", async () => {
    await provision("dev-task-offline");
    const started = await new Fleet(env, caller).start("dev-task-offline", { action: "system.ping", args: {}, timeoutMs: 10_000 });
    expect(started).toMatchObject({ ok: false, error: { code: "device_offline" } });
    const response = await exports.default.fetch("http://w/api/audit?device=dev-task-offline", { headers: ADMIN });
    expect(((await response.json()) as { entries: AuditEntry[] }).entries).toMatchObject([{ outcome: "failed", error: expect.stringMatching(/^device_offline:/) }]);
  });
});
