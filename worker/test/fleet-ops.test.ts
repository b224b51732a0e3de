import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import {
  type AuditEntry,
  type Caller,
  type CommandDetail,
  decodePortFrame,
  type DesiredStateRule,
  type DesiredStatus,
  type DeviceAttributes,
  type DeviceSummary,
  encodePortFrame,
  type FleetRun,
  type PortFrameHeader,
} from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { ADMIN, createFleet, DeviceClient, json, provision, signIn } from "./device-client.js";
import { elicitingClient } from "./eliciting-client.js";
import { withControlledClock } from "./frozen-clock.js";
import { mcpRequest } from "./mcp-request.js";
import { Fleet } from "../src/fleet.js";
import { MAX_SELECTOR_VALUES, parseSelector } from "../src/fleet-ops/selector.js";
import { RegistryObject } from "../src/registry/registry-object.js";

const BOARDS = {
  "orin-nano": "NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super",
  nano: "NVIDIA Jetson Nano Developer Kit",
  "agx-orin": "NVIDIA Jetson AGX Orin Developer Kit",
} as const;

const stub = (device: string) => env.DEVICE.get(env.DEVICE.idFromName(`local/${device}`));
const registry = () => env.REGISTRY.get(env.REGISTRY.idFromName("local"));

async function rest<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await exports.default.fetch(`http://w${path}`, {
    method,
    headers: { ...ADMIN, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

const tokens = new Map<string, string>();
let nextMessageId = 1_000;

/** Connects a device (provisioning it the first time) and reports its state as a bridge does on connect. */
async function online(device: string, board: keyof typeof BOARDS = "orin-nano", jetpack = "6.2"): Promise<DeviceClient> {
  const token = tokens.get(device) ?? (await provision(device));
  tokens.set(device, token);
  const client = await DeviceClient.open(`/tunnel/local/${device}`);
  expect(await client.connect(device, token)).toMatchObject({ reasonCode: 0 });
  await client.subscribeCommands(device);
  const messageId = nextMessageId++;
  client.publishJson(`jetson/${device}/state`, { hostname: device, board: BOARDS[board], jetpack, bridgeVersion: "0.1.0", capabilities: [] }, messageId);
  expect(await client.next("puback")).toMatchObject({ messageId });
  return client;
}

async function offline(client: DeviceClient): Promise<void> {
  client.send({ type: "disconnect" });
  await client.whenClosed();
}

/** The next command the device receives. */
async function nextCommand(client: DeviceClient): Promise<{ id: string; action: string; args: Record<string, unknown> }> {
  return json(await client.next("publish")) as { id: string; action: string; args: Record<string, unknown> };
}

/** Whether a command arrives within `ms`. */
async function commandWithin(client: DeviceClient, ms: number): Promise<boolean> {
  return Promise.race([client.next("publish").then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
}

function answer(client: DeviceClient, device: string, id: string, result: { data: unknown } | { error: { code: string; message: string } }): void {
  client.publishJson(`jetson/${device}/ack`, { id }, nextMessageId++);
  client.publishJson(`jetson/${device}/result`, { id, ok: "data" in result, ...result, startedAt: 1, endedAt: 2 }, nextMessageId++);
}

/** Answers every command with what `respond` says, until the link closes. */
function serve(client: DeviceClient, device: string, respond: (action: string, args: Record<string, unknown>) => { data: unknown } | { error: { code: string; message: string } }) {
  void (async () => {
    for (;;) {
      const command = await nextCommand(client).catch(() => undefined);
      if (!command) return;
      answer(client, device, command.id, respond(command.action, command.args));
    }
  })();
}

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("tags and selectors", () => {
  it("chooses devices by tag and by attributes from their reported state, without waking them", async () => {
    await online("sel-nano-1", "orin-nano");
    await online("sel-nano-2", "orin-nano");
    await offline(await online("sel-old", "nano", "4.6.6"));
    expect((await rest("PUT", "/api/devices/sel-nano-1/tags", { tags: ["warehouse", "line-3"] })).body).toEqual({ tags: ["line-3", "warehouse"] });
    await rest("PUT", "/api/devices/sel-old/tags", { tags: ["warehouse"] });

    const select = async (selector: string) =>
      (await rest<{ devices: DeviceAttributes[] }>("GET", `/api/select?selector=${encodeURIComponent(selector)}`)).body.devices.map((d) => d.id);
    expect(await select("tag:warehouse")).toEqual(["sel-nano-1", "sel-old"]);
    expect(await select("tag:warehouse board:orin-nano online:true jetpack:6*")).toEqual(["sel-nano-1"]);
    expect(await select("id:sel-* board:orin-nano -tag:warehouse")).toEqual(["sel-nano-2"]);
    expect(await select("id:sel-* online:false")).toEqual(["sel-old"]);

    const summary = (await rest<DeviceSummary>("GET", "/api/devices/sel-nano-1")).body;
    expect(summary.tags).toEqual(["line-3", "warehouse"]);
  });

  it("explains a selector it cannot read, and refuses tags it would not store", async () => {
    const bad = await rest<{ error: string }>("GET", `/api/select?selector=${encodeURIComponent("tag:a bord:nano")}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('Selector term 2 "bord:nano": unknown key "bord" (keys: id, tag, board, soc, jetpack, l4t, bridge, online).');
    await provision("sel-tags");
    expect((await rest("PUT", "/api/devices/sel-tags/tags", { tags: ["Has Spaces"] })).status).toBe(400);
    expect((await rest("PUT", "/api/devices/no-such-device/tags", { tags: ["a"] })).status).toBe(404);
  });

  it("points an action written as its tool's name (power_set) to the action, and says plainly that one it does not know is none", async () => {
    await online("sel-named", "orin-nano", "6.2");
    for (const [action, error] of [
      ["power_set", "No action power_set (did you mean power.set?)."],
      ["power.sets", "No action power.sets."],
    ]) {
      expect(await rest("POST", "/api/runs/plan", { selector: "id:sel-named", action })).toEqual({ status: 400, body: { error } });
    }
  });

  it("answers a selector of many alternatives, and refuses one that names too many values with the limit, never an engine error", async () => {
    await online("sel-many", "orin-nano", "6.2");
    // Each of these bound three SQL parameters before: 34 of them, 102, were past SQLite's 100.
    const versions = `id:sel-many jetpack:${Array(34).fill("6").join(",")}`;
    const chosen = await rest<{ devices: DeviceAttributes[] }>("GET", `/api/select?selector=${encodeURIComponent(versions)}`);
    expect(chosen.status).toBe(200);
    expect(chosen.body.devices.map((d) => d.id)).toEqual(["sel-many"]);
    expect((await rest("POST", "/api/runs/plan", { selector: versions, action: "system.info" })).status).toBe(200);

    const ids = `id:${Array(99).fill("a").join(",")}`;
    const refusal = `The selector names 99 values; a selector may name at most ${MAX_SELECTOR_VALUES} values in all.`;
    const refused = await rest<{ error: string }>("GET", `/api/select?selector=${encodeURIComponent(ids)}`);
    expect(refused).toEqual({ status: 400, body: expect.objectContaining({ error: refusal }) });
    expect((await rest<{ error: string }>("POST", "/api/runs/plan", { selector: ids, action: "system.info" })).body.error).toBe(refusal);

    const tool = (await mcpRequest(ADMIN.Authorization?.slice("Bearer ".length), "tools/call", { name: "select_devices", arguments: { selector: ids } })).body.result;
    expect(tool?.isError).toBe(true);
    expect(tool?.content?.[0]?.text).toBe(refusal);
    expect(JSON.stringify(tool)).not.toMatch(/SQLITE|SQL variables/i);
  });

  it("answers a tool call that fails inside with a reference, never the failure's own text", async () => {
    // A fault the registry never meant to show (as an engine error was): the objects run in this isolate.
    await signIn();
    const select = RegistryObject.prototype.select;
    RegistryObject.prototype.select = () => Promise.reject(new Error("too many SQL variables at offset 2471: SQLITE_ERROR"));
    try {
      const token = ADMIN.Authorization?.slice("Bearer ".length);
      for (const [name, args] of [["select_devices", { selector: "tag:x" }], ["plan_fleet_run", { selector: "tag:x", action: "system.info" }]] as const) {
        const tool = (await mcpRequest(token, "tools/call", { name, arguments: args })).body.result;
        expect(tool?.isError, name).toBe(true);
        expect(tool?.content?.[0]?.text, name).toMatch(/^Internal error \(reference [0-9a-f]{8}\): .*Worker log has the details\.$/);
        expect(JSON.stringify(tool), name).not.toMatch(/SQL/);
      }
    } finally {
      RegistryObject.prototype.select = select;
    }
  });
});

describe("commands queued for an offline device", () => {
  it("delivers a queued command exactly once after the device reconnects, and keeps its result", async () => {
    await offline(await online("q-once"));
    const queued = await rest<{ queued: { commandId: string; expiresAt: number }; error: { code: string } }>(
      "POST",
      "/api/devices/q-once/actions/system.ping",
      { queue: { expiresInMs: 60_000 }, timeoutMs: 5_000 },
    );
    expect(queued.status).toBe(202);
    expect(queued.body.error.code).toBe("device_offline");
    const { commandId } = queued.body.queued;
    expect((await rest<CommandDetail>("GET", `/api/devices/q-once/commands/${commandId}`)).body).toMatchObject({ state: "queued", action: "system.ping" });

    const back = await online("q-once");
    const delivered = await nextCommand(back);
    expect(delivered).toMatchObject({ id: commandId, action: "system.ping" });
    answer(back, "q-once", commandId, { data: { pong: true, at: 5, bridgeVersion: "t" } });
    const done = await eventually(
      async () => (await rest<CommandDetail>("GET", `/api/devices/q-once/commands/${commandId}`)).body,
      (detail) => detail.state === "succeeded",
    );
    expect(done.outcome).toMatchObject({ ok: true, data: { pong: true } });
    expect(await commandWithin(back, 300)).toBe(false);

    // Answered once: a later connection does not get it again.
    await offline(back);
    const later = await online("q-once");
    expect(await commandWithin(later, 300)).toBe(false);

    const audit = (await rest<{ entries: AuditEntry[] }>("GET", "/api/audit?device=q-once")).body.entries;
    expect(audit.find((e) => e.action === "system.ping")).toMatchObject({ outcome: "queued" });
  });

  it("counts the queued commands it delivers at reconnect among the device's 16 in flight", async () => {
    await offline(await online("q-many"));
    for (let i = 0; i < 20; i++) {
      const queued = await rest("POST", "/api/devices/q-many/actions/system.ping", { queue: { expiresInMs: 60_000 }, timeoutMs: 30_000 });
      expect(queued.status).toBe(202);
    }
    const back = await online("q-many");
    const delivered: string[] = [];
    for (let i = 0; i < 20; i++) delivered.push((await nextCommand(back)).id);
    const busy = await rest<{ error: { message: string } }>("POST", "/api/devices/q-many/actions/system.ping", { timeoutMs: 5_000 });
    expect(busy.status).toBe(429);
    expect(busy.body.error.message).toMatch(/16 commands in flight/);
    // As the device answers them, commands go through again.
    for (const id of delivered.slice(0, 5)) answer(back, "q-many", id, { data: { pong: true, at: 5, bridgeVersion: "t" } });
    await eventually(async () => (await rest<CommandDetail>("GET", `/api/devices/q-many/commands/${delivered[4]}`)).body, (detail) => detail.state === "succeeded");
    const next = rest("POST", "/api/devices/q-many/actions/system.ping", { timeoutMs: 5_000 });
    const command = await nextCommand(back);
    answer(back, "q-many", command.id, { data: { pong: true, at: 6, bridgeVersion: "t" } });
    expect((await next).status).toBe(200);
  });

  it("never delivers a command whose expiry passed, and marks it expired", async () => {
    await offline(await online("q-expire"));
    const queued = await rest<{ queued: { commandId: string } }>("POST", "/api/devices/q-expire/actions/system.ping", {
      queue: { expiresInMs: 60_000 },
    });
    const { commandId } = queued.body.queued;
    // As if the minute had passed: the command's expiry (and deadline) move into the past, and the alarm runs.
    await runInDurableObject(stub("q-expire"), (_instance, ctx) => {
      ctx.storage.sql.exec("UPDATE queued_commands SET expires_at = expires_at - 120000 WHERE id = ?", commandId);
      ctx.storage.sql.exec("UPDATE commands SET deadline = deadline - 120000 WHERE id = ?", commandId);
      ctx.storage.sql.exec("UPDATE alarm_duties SET due = due - 120000 WHERE name = 'queue'");
    });
    expect(await runDurableObjectAlarm(stub("q-expire"))).toBe(true);
    const detail = (await rest<CommandDetail>("GET", `/api/devices/q-expire/commands/${commandId}`)).body;
    expect(detail.state).toBe("expired");
    expect(detail.outcome).toMatchObject({ ok: false, error: { code: "timed_out", message: expect.stringMatching(/^Expired at .*never ran/) } });

    const back = await online("q-expire");
    expect(await commandWithin(back, 300)).toBe(false);
  });

  it("runs at once on an online device, and says so for an unknown command", async () => {
    const client = await online("q-online");
    const [response] = await Promise.all([
      rest<{ ok: boolean }>("POST", "/api/devices/q-online/actions/system.ping", { queue: { expiresInMs: 60_000 } }),
      nextCommand(client).then((command) => answer(client, "q-online", command.id, { data: { pong: true, at: 1, bridgeVersion: "t" } })),
    ]);
    expect(response).toMatchObject({ status: 200, body: { ok: true } });
    expect((await rest("GET", "/api/devices/q-online/commands/cNoSuchCommand00")).status).toBe(404);
  });
});

describe("desired state", () => {
  const status = async (device: string) => (await rest<DesiredStatus>("GET", `/api/devices/${device}/desired-state`)).body;

  it("is applied when a device that was offline reconnects", async () => {
    await offline(await online("ds-back", "nano", "4.6.6"));
    const set = await rest<DesiredStatus>("PUT", "/api/devices/ds-back/desired-state", { powerModeId: 1, clocksLocked: false });
    expect(set.body).toMatchObject({ desired: { powerModeId: 1, clocksLocked: false }, rules: ["id:ds-back"], drift: [] });
    expect(set.body.checkedAt).toBeUndefined();

    const client = await online("ds-back", "nano", "4.6.6");
    const reads: string[] = [];
    serve(client, "ds-back", (action, args) => {
      reads.push(Object.keys(args).length ? `${action} ${JSON.stringify(args)}` : action);
      if (action === "power.get") return { data: { id: 0, name: "MAXN" } };
      if (action === "power.set") {
        return { data: { requested: { id: 1, name: "5W" }, previous: { id: 0, name: "MAXN" }, current: { id: 1, name: "5W" }, changed: true, rebootRequired: false, message: "Switched" } };
      }
      if (action === "clocks.status") return { data: { cpus: [], lockedAtMax: false } };
      return { error: { code: "unknown_action", message: action } };
    });
    const kept = await eventually(() => status("ds-back"), (s) => s.checkedAt !== undefined);
    expect(kept.drift).toEqual([]);
    expect(reads.slice(0, 3)).toEqual(["power.get", 'power.set {"id":1}', "clocks.status"]);

    const commands = (await rest<{ commands: Array<{ action: string; requestedBy: string }> }>("GET", "/api/devices/ds-back/commands")).body.commands;
    expect(commands.find((c) => c.action === "power.set")?.requestedBy).toBe("desired-state");
    const audit = (await rest<{ entries: AuditEntry[] }>("GET", "/api/audit?device=ds-back")).body.entries;
    expect(audit.map((e) => [e.caller, e.action, e.outcome])).toContainEqual(["desired-state", "power.set", "succeeded"]);
  });

  it("reports drift when the device refuses, in its status, its summary and the fleet's drift", async () => {
    const client = await online("ds-refuse", "nano", "4.6.6");
    serve(client, "ds-refuse", (action) =>
      action === "power.get"
        ? { data: { id: 0, name: "MAXN" } }
        : { error: { code: "invalid_input", message: "No power mode 7 on this board (valid: 0 MAXN, 1 5W)." } },
    );
    await rest("PUT", "/api/desired-state", { selector: "id:ds-refuse", state: { powerModeId: 7 } });
    const drifted = await eventually(() => status("ds-refuse"), (s) => s.drift.length > 0);
    expect(drifted.drift).toEqual([
      expect.objectContaining({ aspect: "powerMode", wanted: "mode 7", actual: "MAXN (mode 0)", reason: "power.set: No power mode 7 on this board (valid: 0 MAXN, 1 5W)." }),
    ]);
    expect((await rest<DeviceSummary>("GET", "/api/devices/ds-refuse")).body.drift).toHaveLength(1);
    const fleetDrift = (await rest<{ devices: Array<{ device: string }> }>("GET", "/api/drift")).body.devices;
    expect(fleetDrift.map((d) => d.device)).toContain("ds-refuse");

    // Withdrawn: nothing is asked any more, so nothing drifts.
    await rest("PUT", "/api/desired-state", { selector: "id:ds-refuse", state: {} });
    expect(await status("ds-refuse")).toMatchObject({ desired: {}, drift: [] });
  });

  it("follows a selector to devices tagged later", async () => {
    await rest("PUT", "/api/desired-state", { selector: "tag:ds-fans", state: { fan: { pwmPct: 60 } } });
    const client = await online("ds-tagged", "agx-orin");
    serve(client, "ds-tagged", (action, args) =>
      action === "fan.get" ? { data: { pwm: 100, pwmPct: 39.2 } } : { data: { pwm: 153, pwmPct: Number(args.pwmPct) } },
    );
    await rest("PUT", "/api/devices/ds-tagged/tags", { tags: ["ds-fans"] });
    const kept = await eventually(() => status("ds-tagged"), (s) => s.checkedAt !== undefined);
    expect(kept).toMatchObject({ desired: { fan: { pwmPct: 60 } }, rules: ["tag:ds-fans"], drift: [] });
  });

  it("reaches a device whose refresh after a rule change never arrived, on its next connection", async () => {
    await offline(await online("ds-missed"));
    // As if the Worker that set the rule died before it refreshed the device: only the registry knows.
    await registry().setDesiredRule(parseSelector("id:ds-missed"), { powerModeId: 1 }, "test");
    expect(await status("ds-missed")).toMatchObject({ desired: {}, rules: [] });

    await online("ds-missed");
    expect(await status("ds-missed")).toMatchObject({ desired: { powerModeId: 1 }, rules: ["id:ds-missed"] });
  });

  it("writes nothing for a selector it refuses", async () => {
    await online("ds-refused");
    const selector = `id:ds-refused,${Array(98).fill("a").join(",")}`;
    const refused = await rest<{ error: string }>("PUT", "/api/desired-state", { selector, state: { clocksLocked: true } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(`a selector may name at most ${MAX_SELECTOR_VALUES} values in all`);
    const rules = (await rest<{ rules: DesiredStateRule[] }>("GET", "/api/desired-state")).body.rules;
    expect(rules.map((rule) => rule.selector)).not.toContain(selector);
    expect(await status("ds-refused")).toMatchObject({ desired: {}, rules: [] });
  });

  it("follows a selector on the device's reported state when it reconnects changed", async () => {
    await rest("PUT", "/api/desired-state", { selector: "id:ds-upgraded jetpack:6*", state: { clocksLocked: true } });
    await offline(await online("ds-upgraded", "nano", "4.6.6"));
    expect(await status("ds-upgraded")).toMatchObject({ desired: {}, rules: [] });

    await online("ds-upgraded", "orin-nano", "6.2");
    expect(await status("ds-upgraded")).toMatchObject({ desired: { clocksLocked: true }, rules: ["id:ds-upgraded jetpack:6*"] });
  });

  it("lets a tunnel expire and a task time out while it waits on the device", async () => {
    const client = await online("ds-held");
    await rest("PUT", "/api/desired-state", { selector: "id:ds-held", state: { powerModeId: 7 } });
    // The comparison asks for the power mode, and the device never answers.
    expect(await nextCommand(client)).toMatchObject({ action: "power.get" });

    const caller: Caller = { fleet: "local", kind: "token", id: "tok_held", scopes: ["read", "operate"] };
    const task = await new Fleet(env, caller).start("ds-held", { action: "system.ping", args: {}, timeoutMs: 60_000 });
    if (!task.ok) throw new Error(task.error.message);
    expect(await nextCommand(client)).toMatchObject({ id: task.commandId });

    const nextFrame = async () => decodePortFrame((await client.next("publish")).payload).header;
    const send = (header: PortFrameHeader) => client.publishBytes("jetson/ds-held/port-up", encodePortFrame(header), nextMessageId++);
    const opening = rest<{ url: string }>("POST", "/api/devices/ds-held/ports", { port: 8080, seconds: 60 });
    const check = await nextFrame();
    send({ type: "checked", stream: check.stream, allowed: true });
    const url = (await opening).body.url.replace(/^https?:\/\/[^/]+/, "http://w");
    const fetching = exports.default.fetch(`${url}stream`);
    const open = await nextFrame();
    send({ type: "response", stream: open.stream, status: 200, headers: [["content-type", "text/event-stream"]] });
    const streamed = await fetching;
    expect(streamed.status).toBe(200);

    // As if their time had come: the tunnel's expiry and the task's deadline pass, and the alarm fires on its own.
    await runInDurableObject(stub("ds-held"), async (_instance, ctx) => {
      const past = Date.now() - 1;
      ctx.storage.sql.exec("UPDATE device_ports SET expires_at = ?", past);
      ctx.storage.sql.exec("UPDATE commands SET deadline = ? WHERE id = ?", past, task.commandId);
      ctx.storage.sql.exec("UPDATE alarm_duties SET due = ? WHERE name IN ('ports', 'tasks')", past);
      await ctx.storage.setAlarm(past);
    });
    let reset: PortFrameHeader;
    do reset = await nextFrame();
    while (reset.type !== "reset");
    expect(reset).toMatchObject({ stream: open.stream, reason: "the tunnel expired" });
    await expect(streamed.text()).rejects.toThrow(/the tunnel expired/);
    const timedOut = await eventually(
      async () => (await rest<CommandDetail>("GET", `/api/devices/ds-held/commands/${task.commandId}`)).body,
      (detail) => detail.state === "timed_out",
    );
    expect(timedOut.state).toBe("timed_out");
  });

  it.each([
    { device: "ds-withdrawn-1", reply: { data: { id: 0, name: "MAXN" } } },
    { device: "ds-withdrawn-2", reply: { error: { code: "not_supported", message: "nvpmodel is not installed." } } },
  ])("stops applying a rule withdrawn while the device answers, and keeps no drift of it ($device)", async ({ device, reply }) => {
    const client = await online(device);
    await rest("PUT", "/api/desired-state", { selector: `id:${device}`, state: { powerModeId: 7 } });
    const read = await nextCommand(client);
    expect(read.action).toBe("power.get");
    const withdrawnAt = Date.now();
    expect((await rest("PUT", "/api/desired-state", { selector: `id:${device}`, state: {} })).status).toBe(200);
    answer(client, device, read.id, reply);

    // Compared after the withdrawal: the comparison of the withdrawn rule has ended before it.
    const kept = await eventually(() => status(device), (s) => (s.checkedAt ?? 0) >= withdrawnAt);
    expect(kept).toMatchObject({ desired: {}, drift: [], checkedAt: expect.any(Number) });
    const commands = (await rest<{ commands: Array<{ action: string }> }>("GET", `/api/devices/${device}/commands`)).body.commands;
    expect(commands.map((c) => c.action)).toEqual(["power.get"]);
    const fleetDrift = (await rest<{ devices: Array<{ device: string }> }>("GET", "/api/drift")).body.devices;
    expect(fleetDrift.map((d) => d.device)).not.toContain(device);
  });

  it("needs read as well as operate to declare, since it answers the devices chosen", async () => {
    await online("ds-secret-1");
    const operateOnly = (await rest<{ token: string }>("POST", "/api/tokens", { name: "operate-only", scopes: ["operate"] })).body.token;
    const declared = await exports.default.fetch("http://w/api/desired-state", {
      method: "PUT",
      headers: { Authorization: `Bearer ${operateOnly}`, "Content-Type": "application/json" },
      body: JSON.stringify({ selector: "id:ds-secret-*", state: {} }),
    });
    expect(declared.status).toBe(403);
    expect(await declared.text()).not.toContain("ds-secret-1");
    const tool = (await mcpRequest(operateOnly, "tools/call", { name: "set_desired_state", arguments: { selector: "id:ds-secret-*", state: {} } })).body;
    expect(tool.result?.isError).toBe(true);
    expect(JSON.stringify(tool)).not.toContain("ds-secret-1");
  });
});

describe("fleet runs", () => {
  it("runs an action on the chosen devices, canary first, each command audited as the caller via the run", async () => {
    const ids = ["run-a", "run-b", "run-c"];
    for (const id of ids) {
      const client = await online(id, "agx-orin");
      serve(client, id, () => ({ data: { pong: true, at: 1, bridgeVersion: "t" } }));
    }
    const plan = await rest<{ devices: Array<{ id: string; canary: boolean }> }>("POST", "/api/runs/plan", {
      selector: "id:run-* board:agx-orin",
      action: "system.ping",
      canary: { count: 1 },
    });
    expect(plan.body.devices).toEqual([
      expect.objectContaining({ id: "run-a", canary: true }),
      expect.objectContaining({ id: "run-b", canary: false }),
      expect.objectContaining({ id: "run-c", canary: false }),
    ]);
    const started = await rest<FleetRun>("POST", "/api/runs", { selector: "id:run-* board:agx-orin", action: "system.ping", canary: { count: 1 }, concurrency: 2 });
    expect(started.status).toBe(201);
    const run = await eventually(async () => (await rest<FleetRun>("GET", `/api/runs/${started.body.id}`)).body, (r) => r.state !== "running");
    expect(run).toMatchObject({ state: "succeeded", counts: { succeeded: 3, failed: 0 } });
    expect(run.devices.map((d) => [d.device, d.state])).toEqual(ids.map((id) => [id, "succeeded"]));
    expect((await rest<{ runs: Array<{ id: string }> }>("GET", "/api/runs")).body.runs.map((r) => r.id)).toContain(run.id);
    const audit = (await rest<{ entries: AuditEntry[] }>("GET", "/api/audit?device=run-b")).body.entries;
    expect(audit[0]?.caller).toMatch(new RegExp(` via ${run.id}$`));
  });

  it("refuses a destructive action without confirm, and a selector that chooses nothing", async () => {
    const reboot = await rest<{ error: string }>("POST", "/api/runs", { selector: "id:run-*", action: "power.reboot" });
    expect(reboot.status).toBe(403);
    expect(reboot.body.error).toMatch(/destructive/);
    expect((await rest("POST", "/api/runs", { selector: "tag:nothing-has-this", action: "system.ping" })).status).toBe(400);
    expect((await rest("GET", "/api/runs/run_AAAAAAAAAAAAAAAA")).status).toBe(404);
  });

  it("hides a run from another fleet, exactly as a run that does not exist", async () => {
    serve(await online("run-own", "agx-orin"), "run-own", () => ({ data: { pong: true, at: 1, bridgeVersion: "t" } }));
    const started = await rest<FleetRun>("POST", "/api/runs", { selector: "id:run-own", action: "system.ping" });
    expect(started.status).toBe(201);
    const other = await createFleet("run-other");
    const read = async (id: string) => {
      const response = await exports.default.fetch(`http://w/api/runs/${id}`, { headers: { Authorization: `Bearer ${other}` } });
      const tool = await mcpRequest(other, "tools/call", { name: "get_fleet_run", arguments: { run: id } });
      return { status: response.status, body: await response.text(), tool: tool.body.result?.content };
    };
    const theirs = await read(started.body.id);
    expect(theirs.status).toBe(404);
    expect(theirs).toEqual(await read("run_AAAAAAAAAAAAAAAA"));
  });

  it("does not start a run the fleet's list could not note, so a retry runs the action once", async () => {
    serve(await online("run-noted", "agx-orin"), "run-noted", () => ({ data: { pong: true, at: 1, bridgeVersion: "t" } }));
    const noteRun = RegistryObject.prototype.noteRun;
    RegistryObject.prototype.noteRun = () => Promise.reject(new Error("overloaded"));
    try {
      const failed = await exports.default.fetch("http://w/api/runs", {
        method: "POST",
        headers: { ...ADMIN, "Content-Type": "application/json" },
        body: JSON.stringify({ selector: "id:run-noted", action: "system.ping" }),
      });
      expect(failed.status).toBe(500);
    } finally {
      RegistryObject.prototype.noteRun = noteRun;
    }
    const retried = await rest<FleetRun>("POST", "/api/runs", { selector: "id:run-noted", action: "system.ping" });
    expect(retried.status).toBe(201);
    const run = await eventually(async () => (await rest<FleetRun>("GET", `/api/runs/${retried.body.id}`)).body, (r) => r.state !== "running");
    expect(run.state).toBe("succeeded");
    const commands = (await rest<{ commands: Array<{ action: string }> }>("GET", "/api/devices/run-noted/commands")).body.commands;
    expect(commands.filter((c) => c.action === "system.ping")).toHaveLength(1);
  });

  it("keeps a run's record 90 days after it ends: then it reads as missing and leaves the fleet's list", async () => {
    serve(await online("run-aged", "agx-orin"), "run-aged", () => ({ data: { pong: true, at: 1, bridgeVersion: "t" } }));
    const started = await rest<FleetRun>("POST", "/api/runs", { selector: "id:run-aged", action: "system.ping" });
    const ended = await eventually(async () => (await rest<FleetRun>("GET", `/api/runs/${started.body.id}`)).body, (r) => r.state !== "running");
    expect(ended.state).toBe("succeeded");
    const runObject = env.FLEET_RUN.get(env.FLEET_RUN.idFromName(`local/${started.body.id}`));
    const listed = async () => (await rest<{ runs: Array<{ id: string }> }>("GET", "/api/runs?limit=200")).body.runs.map((r) => r.id);
    await withControlledClock(async (advance) => {
      advance(89 * 86_400_000);
      expect(await runDurableObjectAlarm(runObject)).toBe(true);
      expect((await rest("GET", `/api/runs/${started.body.id}`)).status).toBe(200);
      expect(await listed()).toContain(started.body.id);
      advance(2 * 86_400_000);
      expect(await runDurableObjectAlarm(runObject)).toBe(true);
      expect((await rest("GET", `/api/runs/${started.body.id}`)).status).toBe(404);
      expect(await listed()).not.toContain(started.body.id);
    }, (ended.endedAt ?? 0) + 1);
  });

  it("never runs a command cancelled while it was still on its way to the device", async () => {
    const device = await online("run-held", "agx-orin");
    // The run's command for the device is held where Fleet admits it (the registry's existence check), as a slow registry would.
    const has = RegistryObject.prototype.has;
    let reached!: () => void;
    const admitting = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    RegistryObject.prototype.has = async function (this: RegistryObject, id: string) {
      if (id === "run-held") {
        RegistryObject.prototype.has = has;
        reached();
        await released;
      }
      return has.call(this, id);
    };
    let started: { status: number; body: FleetRun };
    try {
      started = await rest<FleetRun>("POST", "/api/runs", { selector: "id:run-held", action: "system.ping" });
      expect(started.status).toBe(201);
      await admitting;
      await env.FLEET_RUN.get(env.FLEET_RUN.idFromName(`local/${started.body.id}`)).cancel("token:test");
    } finally {
      RegistryObject.prototype.has = has;
      release();
    }
    const run = await eventually(async () => (await rest<FleetRun>("GET", `/api/runs/${started.body.id}`)).body, (r) => r.devices[0]?.state !== "running");
    expect(run.state).toBe("cancelled");
    expect(run.devices[0]).toMatchObject({ device: "run-held", state: "failed", error: { code: "cancelled" } });
    const commands = (await rest<{ commands: Array<{ id: string; action: string; state: string; requestedBy: string }> }>("GET", "/api/devices/run-held/commands")).body.commands;
    expect(commands).toEqual([expect.objectContaining({ action: "system.ping", state: "cancelled", requestedBy: "token:test" })]);
    // The first command the device receives is the next one sent, not the cancelled run's.
    const next = rest("POST", "/api/devices/run-held/actions/system.ping", { timeoutMs: 5_000 });
    const received = await nextCommand(device);
    expect(received.id).not.toBe(commands[0]?.id);
    answer(device, "run-held", received.id, { data: { pong: true, at: 1, bridgeVersion: "t" } });
    expect((await next).status).toBe(200);
  });

  it("refuses, on MCP 2026-07-28, a run whose plan to ask about chooses no device, rather than start one unasked", async () => {
    await online("run-late", "agx-orin");
    const mcp = await elicitingClient(ADMIN.Authorization?.slice("Bearer ".length) ?? "", "fleet-runs-test");
    // As if the device joined the selection just after the plan the user would be asked about.
    const select = RegistryObject.prototype.select;
    RegistryObject.prototype.select = function () {
      RegistryObject.prototype.select = select;
      return Promise.resolve({ devices: [] });
    };
    try {
      const result = await mcp.callTool({ name: "start_fleet_run", arguments: { selector: "id:run-late", action: "fan.set", args: { pwmPct: 60 }, waitSeconds: 0 } }, { allowInputRequired: true });
      expect(result).toMatchObject({ isError: true, content: [{ text: 'The selector "id:run-late" chooses no device.' }] });
    } finally {
      RegistryObject.prototype.select = select;
    }
    expect((await rest<{ commands: unknown[] }>("GET", "/api/devices/run-late/commands")).body.commands).toEqual([]);
  });
});
