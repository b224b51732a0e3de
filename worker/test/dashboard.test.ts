import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { hashSecret } from "../src/credentials.js";
import { openLive, ORIGIN, session, signIn } from "./dashboard-browser.js";
import { createFleet, DeviceClient, json } from "./device-client.js";

const registry = () => env.REGISTRY.get(env.REGISTRY.idFromName("dash"));

function rest(token: string, method: string, path: string, body?: unknown) {
  return exports.default.fetch(`${ORIGIN}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function token(scopes: string[]): Promise<{ token: string; id: string }> {
  const response = await rest(admin, "POST", "/api/tokens", { name: "viewer", scopes });
  expect(response.status).toBe(201);
  return (await response.json()) as { token: string; id: string };
}

const get = (path: string, cookie?: string) =>
  exports.default.fetch(`${ORIGIN}${path}`, { redirect: "manual", headers: cookie ? { Cookie: cookie } : {} });

const signOut = (cookie: string) => exports.default.fetch(`${ORIGIN}/signout`, { method: "POST", redirect: "manual", headers: { Cookie: cookie, Origin: ORIGIN } });

let admin: string;
let viewer: { token: string; id: string };

beforeAll(async () => {
  admin = await createFleet("dash");
  viewer = await token(["read"]);
  expect((await rest(admin, "POST", "/api/devices", { id: "cam-1" })).status).toBe(201);
});

describe("dashboard sign-in", () => {
  it("opens a session for a read token: a random id in an HttpOnly, SameSite=Strict cookie, stored only as a hash", async () => {
    const response = await signIn(viewer.token, { next: "/devices/cam-1" });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/devices/cam-1");
    const cookie = response.headers.get("Set-Cookie") ?? "";
    expect(cookie).toMatch(/^jetson_session=dash\.[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/);
    const value = cookie.split(";")[0]?.split("=")[1] ?? "";
    expect(value).not.toContain(viewer.token);
    const stored = await runInDurableObject(registry(), (_instance, ctx) =>
      ctx.storage.sql.exec<{ hash: string; token_id: string }>("SELECT hash, token_id FROM dashboard_sessions").toArray(),
    );
    expect(stored).toContainEqual({ hash: await hashSecret(value), token_id: viewer.id });
  });

  it("marks the cookie Secure over https", async () => {
    const response = await signIn(viewer.token, { url: "https://w", origin: ORIGIN });
    expect(response.headers.get("Set-Cookie")).toContain("; Secure");
  });

  it("refuses a wrong token, a token without read, a request from another site, and a way off the site", async () => {
    const wrong = await signIn("jft_dash_notatokennotatokennotatoken");
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("Set-Cookie")).toBeNull();
    expect(await wrong.text()).toContain("not a live API token");
    expect((await signIn((await token(["operate"])).token)).status).toBe(403);
    expect((await signIn(viewer.token, { origin: "http://evil.example" })).status).toBe(403);
    expect((await signIn(viewer.token, { next: "//evil.example/x" })).headers.get("Location")).toBe("/");
  });

  it("answers a body that is not a form with 400, opening no session", async () => {
    const form = new URLSearchParams({ token: viewer.token, next: "/" }).toString();
    const bodies: Array<[string | undefined, BodyInit]> = [
      ["application/json", JSON.stringify({ token: viewer.token, next: "/" })],
      // A byte body gets no Content-Type of its own.
      [undefined, new TextEncoder().encode(form)],
      ["multipart/form-data", form],
      ["multipart/form-data; boundary=xyz", "--xyz\r\ngarbage"],
    ];
    for (const [type, body] of bodies) {
      const headers: Record<string, string> = { Origin: ORIGIN, ...(type && { "Content-Type": type }) };
      const response = await exports.default.fetch(`${ORIGIN}/signin`, { method: "POST", redirect: "manual", headers, body });
      expect(response.status, type).toBe(400);
      expect(response.headers.get("Set-Cookie"), type).toBeNull();
      expect(await response.text(), type).toContain("Send the form as application/x-www-form-urlencoded.");
    }
  });

  it("refuses a request whose Origin matches its own Host but not the deployment (DNS rebinding)", async () => {
    // A name the attacker controls, pointed at this Worker: the browser calls that page and this request same-origin.
    const rebound = "http://evil.example:8787";
    expect((await signIn(viewer.token, { url: rebound, origin: rebound })).status).toBe(403);
    const cookie = await session(viewer.token);
    const live = await exports.default.fetch(`${rebound}/dashboard/live`, { headers: { Upgrade: "websocket", Cookie: cookie, Origin: rebound } });
    expect(live.status).toBe(403);
    const out = await exports.default.fetch(`${rebound}/signout`, { method: "POST", redirect: "manual", headers: { Cookie: cookie, Origin: rebound } });
    expect(out.status).toBe(403);
    expect((await get("/dashboard/api/devices", cookie)).status).toBe(200);
  });

  it("brings a person back only to a path of this site, however `next` is disguised", async () => {
    const dotted = ["/.//evil.example.com/x", "/..//evil.example.com", "/a/..//evil.example.com", "/%2e//evil.example.com", "/%2E%2E//evil.example.com"];
    const offSite = [
      "/\t/evil.example.com",
      "/\\evil.example.com",
      "\\\\evil.example.com",
      "/\\/evil.example.com",
      "//evil.example.com",
      "/%09/evil.example.com",
      "/%5C/evil.example.com",
      "/%2F/evil.example.com",
      "https://evil.example.com/",
      "javascript:alert(1)",
      " //evil.example.com",
      "/\n/evil.example.com",
      "/devices/cam-1\r\nSet-Cookie: x=y",
      // Each looks like a path, but resolving its dot segments leaves `//evil.example.com`.
      ...dotted,
    ];
    const cookie = await session(viewer.token);
    for (const next of offSite) {
      // Signed in already: GET /signin sends the person straight on.
      const signedIn = await get(`/signin?next=${encodeURIComponent(next)}`, cookie);
      expect(signedIn.status, JSON.stringify(next)).toBe(303);
      expect(signedIn.headers.get("Location"), JSON.stringify(next)).toBe("/");
      const posted = await signIn(viewer.token, { next });
      expect(posted.status, JSON.stringify(next)).toBe(303);
      expect(posted.headers.get("Location"), JSON.stringify(next)).toBe("/");
    }
    // Query strings decode %09 and %5C before `next` is read: those arrive as a tab and a backslash.
    const encoded = await get("/signin?next=/%09/evil.example.com", cookie);
    expect(encoded.headers.get("Location")).toBe("/");
    const page = await get(`/signin?next=${encodeURIComponent("/devices/cam-1?range=24h")}`, cookie);
    expect(page.headers.get("Location")).toBe("/devices/cam-1?range=24h");
    // Not signed in: the form carries `next` on, and only as a path of this site.
    for (const next of ["/\t/evil.example.com", ...dotted]) {
      const form = await get(`/signin?next=${encodeURIComponent(next)}`);
      expect(form.status, JSON.stringify(next)).toBe(200);
      expect(await form.text(), JSON.stringify(next)).toContain('name="next" value="/"');
    }
  });
});

describe("dashboard pages and data routes", () => {
  it("send a visitor without a session to sign in, and refuse them data", async () => {
    const page = await get("/");
    expect(page.status).toBe(303);
    expect(page.headers.get("Location")).toBe("/signin?next=%2F");
    for (const path of ["/dashboard/api/devices", "/dashboard/api/devices/cam-1", "/dashboard/api/devices/cam-1/telemetry?range=24h", "/dashboard/api/session"]) {
      for (const cookie of [undefined, "jetson_session=dash.forgedforgedforgedforgedforgedforgedforged1", "jetson_session=../x"]) {
        const response = await get(path, cookie);
        expect(response.status, path).toBe(401);
        expect(await response.text()).not.toContain("cam-1");
      }
    }
    expect((await exports.default.fetch(`${ORIGIN}/dashboard/live`, { headers: { Upgrade: "websocket", Origin: ORIGIN } })).status).toBe(401);
  });

  it("serve the signed-in fleet through the caller's Fleet, with a strict CSP", async () => {
    const cookie = await session(viewer.token);
    const page = await get("/", cookie);
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
    expect(await page.text()).toContain('data-view="fleet"');
    const { devices } = (await (await get("/dashboard/api/devices", cookie)).json()) as { devices: Array<{ id: string; state?: object }> };
    expect(devices.map((d) => d.id)).toEqual(["cam-1"]);
    const overview = (await (await get("/dashboard/api/devices/cam-1", cookie)).json()) as Record<string, unknown>;
    expect(Object.keys(overview).sort()).toEqual(["alerts", "commands", "containers", "device"]);
    expect((await get("/dashboard/api/devices/cam-1/telemetry?range=30d", cookie)).status).toBe(200);
    for (const range of ["1y", "toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"]) {
      const refused = await get(`/dashboard/api/devices/cam-1/telemetry?range=${range}`, cookie);
      expect(refused.status, range).toBe(400);
      expect(await refused.json(), range).toEqual({ error: "range must be one of 15m, 24h, 30d" });
    }
    expect((await get("/dashboard/api/devices/elsewhere", cookie)).status).toBe(404);
  });

  it("end a session when it expires, when its token is revoked, and on sign-out", async () => {
    const expiring = await session(viewer.token);
    await runInDurableObject(registry(), async (_instance, ctx) => {
      const hash = await hashSecret(expiring.split("=")[1] ?? "");
      ctx.storage.sql.exec("UPDATE dashboard_sessions SET expires_at = 0 WHERE hash = ?", hash);
    });
    expect((await get("/dashboard/api/devices", expiring)).status).toBe(401);

    const doomed = await token(["read"]);
    const revoked = await session(doomed.token);
    expect((await get("/dashboard/api/devices", revoked)).status).toBe(200);
    expect((await rest(admin, "DELETE", `/api/tokens/${doomed.id}`)).status).toBe(204);
    expect((await get("/dashboard/api/devices", revoked)).status).toBe(401);

    const cookie = await session(viewer.token);
    const out = await signOut(cookie);
    expect(out.status).toBe(303);
    expect(out.headers.get("Set-Cookie")).toMatch(/^jetson_session=; Max-Age=0/);
    expect((await get("/dashboard/api/devices", cookie)).status).toBe(401);
  });

  it("answer a device's failed container listing with the device's own message, for the page to show", async () => {
    const created = await rest(admin, "POST", "/api/devices", { id: "cam-no-engine" });
    const { token: deviceToken } = (await created.json()) as { token: string };
    const device = await DeviceClient.open("/tunnel/dash/cam-no-engine");
    expect(await device.connect("cam-no-engine", deviceToken)).toMatchObject({ reasonCode: 0 });
    device.publishJson("jetson/cam-no-engine/state", { hostname: "cam-no-engine", bridgeVersion: "0.1.0", capabilities: ["containers.list"] }, 21);
    await device.next("puback");
    await device.subscribeCommands("cam-no-engine");
    // What a bridge answers when no container engine runs on its board.
    const error = { code: "unavailable", message: "Docker is not running or its socket /var/run/docker.sock is missing: start it with sudo systemctl start docker." };
    const answered = device.next("publish").then((packet) => device.publishJson("jetson/cam-no-engine/result", { id: json(packet).id, startedAt: 1, endedAt: 2, ok: false, error }));
    const cookie = await session(viewer.token);
    const [response] = await Promise.all([
      exports.default.fetch(`${ORIGIN}/dashboard/api/devices/cam-no-engine/containers`, { method: "POST", headers: { Cookie: cookie, Origin: ORIGIN } }),
      answered,
    ]);
    // The request itself succeeded: an error status is for what the route refuses, with `{ error }` as its sentence.
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: false, error });
    device.ws.close();
  });
});

describe("the live channel", () => {
  it("sends the fleet when it opens, then each device change", async () => {
    const live = await openLive(await session(viewer.token));
    const snapshot = await live.next("snapshot");
    expect(snapshot.type === "snapshot" && snapshot.devices.map((d) => d.id)).toContain("cam-1");
    expect((await rest(admin, "POST", "/api/devices", { id: "cam-2" })).status).toBe(201);
    expect(await live.next("upsert", "cam-2")).toMatchObject({ device: { id: "cam-2", online: false } });
    expect((await rest(admin, "DELETE", "/api/devices/cam-2")).status).toBe(204);
    expect(await live.next("remove", "cam-2")).toEqual({ type: "remove", id: "cam-2" });
    live.ws.close();
  });

  it("gives a device view only its device", async () => {
    const live = await openLive(await session(viewer.token), "?device=cam-3");
    expect(await live.next("snapshot")).toEqual({ type: "snapshot", devices: [] });
    await rest(admin, "POST", "/api/devices", { id: "cam-4" });
    await rest(admin, "POST", "/api/devices", { id: "cam-3" });
    expect(await live.next("upsert", "cam-3")).toMatchObject({ device: { id: "cam-3" } });
    expect(live.messages.some((m) => m.type === "upsert" && m.device.id === "cam-4")).toBe(false);
    live.ws.close();
  });

  it("opens on one page of a large fleet with the whole fleet's counts, and hears only of the devices in that page's range", async () => {
    const bulk = (i: number, online = false) => ({ id: `bulk-${String(i).padStart(3, "0")}`, fleet: "dash", online, tags: ["bulk"] });
    await runInDurableObject(registry(), async (object) => {
      for (let i = 0; i < 120; i++) await object.upsert(bulk(i));
    });
    const cookie = await session(viewer.token);
    const live = await openLive(cookie, "?limit=50&selector=tag:bulk");
    const snapshot = await live.next("snapshot");
    if (snapshot.type !== "snapshot" || !snapshot.page) throw new Error("no page in the snapshot");
    expect(snapshot.devices.map((d) => d.id)).toEqual(Array.from({ length: 50 }, (_, i) => bulk(i).id));
    expect(snapshot.page).toMatchObject({ total: 120, nextCursor: expect.any(String), tags: expect.arrayContaining(["bulk"]) });
    const { online, alerting, offline } = snapshot.page.counts;
    expect(online + alerting + offline).toBeGreaterThanOrEqual(121);

    // The device beyond the page changes first: had it been sent, it would be the first upsert to arrive.
    await registry().upsert(bulk(100, true));
    await registry().upsert(bulk(10, true));
    expect(await live.next("upsert")).toMatchObject({ device: { id: "bulk-010", online: true } });
    expect(live.messages.some((m) => m.type === "upsert" && m.device.id === "bulk-100")).toBe(false);
    // The device beyond the page still moved the fleet's counts, sent before the upsert that arrived.
    expect(live.messages.find((m) => m.type === "counts")).toEqual({ type: "counts", counts: { online: online + 1, alerting, offline: offline - 1 } });
    live.ws.close();

    const second = await openLive(cookie, `?limit=50&selector=tag:bulk&cursor=${snapshot.page.nextCursor}`);
    const next = await second.next("snapshot");
    expect(next.type === "snapshot" && next.devices.map((d) => d.id)).toEqual(Array.from({ length: 50 }, (_, i) => bulk(50 + i).id));
    second.ws.close();
  });

  it("refuses a page with a cursor of other filters, or a garbage one, before opening", async () => {
    const cookie = await session(viewer.token);
    const first = (await (await get("/dashboard/api/devices?limit=1", cookie)).json()) as { nextCursor: string };
    for (const query of [`?limit=1&status=offline&cursor=${first.nextCursor}`, "?cursor=garbage", "?limit=9999"]) {
      const refused = await exports.default.fetch(`${ORIGIN}/dashboard/live${query}`, { headers: { Upgrade: "websocket", Cookie: cookie, Origin: ORIGIN } });
      expect(refused.status, query).toBe(400);
      expect((await refused.json()) as { error: string }).toMatchObject({ error: expect.stringMatching(/cursor|Invalid device list query/) });
    }
  });

  it("refuses another site's page, and closes when the session ends", async () => {
    const cookie = await session(viewer.token);
    const foreign = await exports.default.fetch(`${ORIGIN}/dashboard/live`, { headers: { Upgrade: "websocket", Cookie: cookie, Origin: "http://evil.example" } });
    expect(foreign.status).toBe(403);
    const live = await openLive(cookie);
    await live.next("snapshot");
    await signOut(cookie);
    expect(await live.closed()).toBe(4401);
  });
});
