import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createFleet, DeviceClient, json } from "./device-client.js";
import { withFrozenClock } from "./frozen-clock.js";
import { mcpRequest } from "./mcp-request.js";

/** A REST call with a bearer token. */
function rest(token: string, method: string, path: string, body?: unknown) {
  return exports.default.fetch(`http://w${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** MCP as a polite client: the tool sweeps below make more calls than one token's burst allows. */
function mcp(token: string, method: string, params: Record<string, unknown>) {
  return mcpRequest(token, method, params, { waitOnRateLimit: true });
}

async function token(admin: string, name: string, scopes: string[]): Promise<string> {
  const response = await rest(admin, "POST", "/api/tokens", { name, scopes });
  expect(response.status).toBe(201);
  return ((await response.json()) as { token: string }).token;
}

async function enroll(admin: string, device: string, ttlSeconds = 3600): Promise<string> {
  const response = await rest(admin, "POST", "/api/enrollments", { device, ttlSeconds });
  expect(response.status).toBe(201);
  return ((await response.json()) as { code: string }).code;
}

function redeem(code: string) {
  return exports.default.fetch("http://w/enroll", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ code }) });
}

/** Enrolls a device and connects it as a bridge would. */
async function enrolledDevice(admin: string, device: string): Promise<{ client: DeviceClient; token: string }> {
  const response = await redeem(await enroll(admin, device));
  expect(response.status).toBe(201);
  const { token, fleet } = (await response.json()) as { token: string; fleet: string };
  const client = await DeviceClient.open(`/tunnel/${fleet}/${device}`);
  expect(await client.connect(device, token)).toMatchObject({ reasonCode: 0 });
  await client.subscribeCommands(device);
  return { client, token };
}

let alpha: string;
let beta: string;

beforeAll(async () => {
  alpha = await createFleet("alpha");
  beta = await createFleet("beta");
});

describe("fleets are isolated", () => {
  it("refuses requests without a valid token, and the operator secret is not a fleet token", async () => {
    expect((await rest("nope", "GET", "/api/devices")).status).toBe(401);
    expect((await rest("test-admin-token", "GET", "/api/devices")).status).toBe(401);
    expect((await mcp("jft_alpha_forgedforgedforgedforged", "tools/list", {})).response.status).toBe(401);
  });

  it("hides one fleet's devices from another on every REST route, as if they did not exist", async () => {
    await enrolledDevice(alpha, "alpha-cam");
    const routes: Array<[string, string, unknown?]> = [
      ["GET", "/api/devices/alpha-cam"],
      ["DELETE", "/api/devices/alpha-cam"],
      ["GET", "/api/devices/alpha-cam/commands"],
      ["POST", "/api/devices/alpha-cam/actions/system.ping", {}],
    ];
    for (const [method, path, body] of routes) {
      const theirs = await rest(beta, method, path, body);
      const missing = await rest(beta, method, path.replace("alpha-cam", "no-such-device"), body);
      expect(theirs.status, `${method} ${path}`).toBe(404);
      expect(await theirs.text(), `${method} ${path}`).toBe(await missing.text());
    }
    const list = (await (await rest(beta, "GET", "/api/devices")).json()) as { devices: Array<{ id: string }> };
    expect(list.devices.map((d) => d.id)).not.toContain("alpha-cam");
    const audit = (await (await rest(beta, "GET", "/api/audit")).json()) as { entries: unknown[] };
    expect(audit.entries).toEqual([]);
    expect((await rest(alpha, "GET", "/api/devices/alpha-cam")).status).toBe(200);
  });

  it("hides one fleet's devices from another on every MCP tool", async () => {
    const tools = (await mcp(beta, "tools/list", {})).body.result as { tools: Array<{ name: string }> };
    const names = tools.tools.map((t) => t.name).filter((n) => n !== "list_devices");
    expect(names.length).toBeGreaterThan(2);
    for (const name of names) {
      const theirs = await mcp(beta, "tools/call", { name, arguments: { device: "alpha-cam", confirm: true } });
      const missing = await mcp(beta, "tools/call", { name, arguments: { device: "no-such-device", confirm: true } });
      expect(theirs.body.result?.isError, name).toBe(true);
      expect(theirs.body.result?.content, name).toEqual(missing.body.result?.content);
    }
    const listed = await mcp(beta, "tools/call", { name: "list_devices", arguments: {} });
    expect(JSON.stringify(listed.body.result?.structuredContent)).not.toContain("alpha-cam");
    // Two calls per tool: some two hundred MCP requests.
  }, 30_000);
});

describe("scopes and confirmation", () => {
  it("lets a read token read but not change state or administer", async () => {
    const { client } = await enrolledDevice(alpha, "alpha-scope");
    const reader = await token(alpha, "dashboard", ["read"]);
    const [ping] = await Promise.all([
      rest(reader, "POST", "/api/devices/alpha-scope/actions/system.ping", {}),
      (async () => {
        const command = json(await client.next("publish"));
        client.publishJson("jetson/alpha-scope/result", { id: command.id, ok: true, data: { pong: true, at: 1, bridgeVersion: "t" }, startedAt: 1, endedAt: 2 });
      })(),
    ]);
    expect(ping.status).toBe(200);
    const change = await mcp(reader, "tools/call", { name: "power_set", arguments: { device: "alpha-scope", id: 1 } });
    expect(change.body.result?.isError).toBe(true);
    expect(change.body.result?.content?.[0]?.text).toMatch(/needs the "operate" scope/);
    expect((await rest(reader, "POST", "/api/devices", { id: "sneaky" })).status).toBe(403);
    expect((await rest(reader, "POST", "/api/tokens", { name: "x", scopes: ["admin"] })).status).toBe(403);
  });

  it("runs nothing destructive without confirm: true, and says why", async () => {
    const { client } = await enrolledDevice(alpha, "alpha-reboot");
    const result = await mcp(alpha, "tools/call", { name: "power_reboot", arguments: { device: "alpha-reboot" } });
    expect(result.body.result?.isError).toBe(true);
    expect(result.body.result?.content?.[0]?.text).toMatch(/destructive and did not run.*"confirm": true/);
    const commands = (await (await rest(alpha, "GET", "/api/devices/alpha-reboot/commands")).json()) as { commands: unknown[] };
    expect(commands.commands).toEqual([]);
    client.ws.close();
  });

  it("revokes a token at once", async () => {
    const doomed = await token(alpha, "ci", ["read"]);
    expect((await rest(doomed, "GET", "/api/devices")).status).toBe(200);
    const { tokens } = (await (await rest(alpha, "GET", "/api/tokens")).json()) as { tokens: Array<{ id: string; name: string }> };
    const id = tokens.find((t) => t.name === "ci")?.id;
    expect((await rest(alpha, "DELETE", `/api/tokens/${id}`)).status).toBe(204);
    expect((await rest(doomed, "GET", "/api/devices")).status).toBe(401);
  });

  it("answers 429 with Retry-After when a token sends too fast", async () => {
    const busy = await token(alpha, "busy", ["read"]);
    // The burst is 60: the 61st request inside one instant is refused.
    const statuses = await withFrozenClock(async () => {
      const seen: Response[] = [];
      for (let i = 0; i < 61; i++) seen.push(await rest(busy, "GET", "/api/devices"));
      return seen;
    });
    expect(statuses.slice(0, 60).map((r) => r.status)).toEqual(Array(60).fill(200));
    const limited = statuses[60];
    expect(limited?.status).toBe(429);
    expect(await limited?.json()).toEqual({ error: "Too many requests for this token" });
    expect(Number(limited?.headers.get("Retry-After"))).toBeGreaterThan(0);
  }, 30_000);
});

describe("per-device limits", () => {
  it("refuses a 17th command while 16 are in flight on one device", async () => {
    const { client } = await enrolledDevice(alpha, "alpha-busy");
    const stuck = Array.from({ length: 16 }, () =>
      rest(alpha, "POST", "/api/devices/alpha-busy/actions/system.ping", { timeoutMs: 2_000 }),
    );
    for (let i = 0; i < 16; i++) await client.next("publish");
    const extra = await rest(alpha, "POST", "/api/devices/alpha-busy/actions/system.ping", { timeoutMs: 2_000 });
    expect(extra.status).toBe(429);
    expect(((await extra.json()) as { error: { message: string } }).error.message).toMatch(/already has 16 commands in flight/);
    client.ws.close();
    expect((await Promise.all(stuck)).map((r) => r.status)).toEqual(Array(16).fill(504));
  }, 15_000);

  it("refuses a 31st command within one instant: 10 a second, a burst of 30", async () => {
    const { client } = await enrolledDevice(alpha, "alpha-rate");
    // A token of its own: its 60-request burst is untouched by the tests before.
    const caller = await token(alpha, "rate", ["read"]);
    const answering = (async () => {
      for (;;) {
        const command = json(await client.next("publish"));
        client.publishJson("jetson/alpha-rate/result", { id: command.id, ok: true, data: { pong: true, at: 1, bridgeVersion: "t" }, startedAt: 1, endedAt: 2 });
      }
    })().catch(() => undefined);
    const statuses = await withFrozenClock(async () => {
      const seen: number[] = [];
      for (let i = 0; i < 31; i++) seen.push((await rest(caller, "POST", "/api/devices/alpha-rate/actions/system.ping", {})).status);
      return seen;
    });
    expect(statuses).toEqual([...Array(30).fill(200), 429]);
    client.ws.close();
    await answering;
  }, 15_000);
});

describe("device enrollment and revocation", () => {
  it("trades a code once for a device credential", async () => {
    const code = await enroll(alpha, "alpha-once");
    const first = await redeem(code);
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ fleet: "alpha", deviceId: "alpha-once", token: expect.any(String) });
    const second = await redeem(code);
    expect(second.status).toBe(403);
    expect(await second.json()).toEqual({ error: "This enrollment code was already used." });
  });

  it("refuses an expired code and a made-up one", async () => {
    const code = await enroll(alpha, "alpha-late", 60);
    const realNow = Date.now;
    Date.now = () => realNow() + 61_000;
    try {
      expect(await (await redeem(code)).json()).toEqual({ error: "This enrollment code has expired." });
    } finally {
      Date.now = realNow;
    }
    expect((await redeem("jfe_alpha_madeupmadeupmadeupmadeup")).status).toBe(403);
    expect((await redeem("not a code")).status).toBe(400);
  });

  it("disconnects a revoked device and refuses it afterwards", async () => {
    const { client, token: credential } = await enrolledDevice(alpha, "alpha-revoked");
    expect((await rest(alpha, "DELETE", "/api/devices/alpha-revoked")).status).toBe(204);
    expect((await client.whenClosed()).code).toBe(4003);
    const again = await DeviceClient.open("/tunnel/alpha/alpha-revoked");
    expect(await again.connect("alpha-revoked", credential)).toMatchObject({ reasonCode: 0x86 });
    expect((await rest(alpha, "GET", "/api/devices/alpha-revoked")).status).toBe(404);
  });
});

describe("the audit trail", () => {
  it("records who ran what on which device, with secrets redacted, readable by device and caller", async () => {
    const { client } = await enrolledDevice(alpha, "alpha-audit");
    const answer = (async () => {
      const command = json(await client.next("publish"));
      client.publishJson("jetson/alpha-audit/result", { id: command.id, ok: true, data: { pong: true, at: 1, bridgeVersion: "t" }, startedAt: 1, endedAt: 2 });
    })();
    await Promise.all([rest(alpha, "POST", "/api/devices/alpha-audit/actions/system.ping", { args: {} }), answer]);
    await rest(alpha, "POST", "/api/devices/alpha-audit/actions/system.ping", { args: { password: "hunter2" } });
    const { entries } = (await (await rest(alpha, "GET", "/api/audit?device=alpha-audit")).json()) as {
      entries: Array<{ caller: string; action: string; outcome: string; args: Record<string, unknown>; durationMs: number }>;
    };
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({ action: "system.ping", outcome: "succeeded", caller: expect.stringMatching(/^token:tok_/) });
    expect(entries[0]?.args).toEqual({ password: "[redacted]" });
    // system.ping takes no password: refused by its schema, and audited all the same.
    expect(entries[0]?.outcome).toBe("refused");
    const byCaller = (await (await rest(alpha, "GET", `/api/audit?caller=${encodeURIComponent(entries[1]?.caller ?? "")}&device=alpha-audit`)).json()) as { entries: unknown[] };
    expect(byCaller.entries).toHaveLength(2);
    const resource = await mcp(alpha, "resources/read", { uri: "jetson://audit?device=alpha-audit" });
    expect(JSON.stringify(resource.body)).toContain("alpha-audit");
  });
});
