import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hashSecret } from "../src/credentials.js";
import { LIVE_SESSION_HEADER, MAX_LIVE_PER_FLEET } from "../src/dashboard/live-channel.js";
import { MAX_LIVE_PER_TOKEN, SESSION_ENDED, SUPERSEDED } from "../src/dashboard/live-messages.js";
import { MAX_SESSIONS_PER_TOKEN } from "../src/dashboard/session-table.js";
import { openLive, session, upgradeLive } from "./dashboard-browser.js";
import { createFleet } from "./device-client.js";
import { rest } from "./rest-call.js";

type Live = Awaited<ReturnType<typeof openLive>>;

/** A fleet of its own, so that each test counts only its own sockets. */
async function fleet(name: string) {
  const admin = await createFleet(name);
  return {
    readToken: async () => {
      const created = await rest<{ token: string }>(admin, "POST", "/api/tokens", { name: "viewer", scopes: ["read"] });
      expect(created.status).toBe(201);
      return created.body.token;
    },
    /** A change every dashboard of the fleet hears of. */
    provision: async (id: string) => expect((await rest(admin, "POST", "/api/devices", { id })).status).toBe(201),
  };
}

/** What a socket saw first after a change to `id`: its close code, or "heard" when the change reached it. */
const closedOrHeard = (live: Live, id: string) =>
  live.until(() => live.code() ?? (live.messages.some((m) => m.type === "upsert" && m.device.id === id) ? "heard" : undefined));

describe("a token's live dashboards", () => {
  it(`number at most ${MAX_LIVE_PER_TOKEN}: one more closes the oldest, saying so, and the others keep hearing changes`, async () => {
    const { readToken, provision } = await fleet("live-per-token");
    const token = await readToken();
    // Tabs of two browsers: the limit is the token's, whichever session a tab has.
    const cookies = [await session(token), await session(token)];
    const tabs: Live[] = [];
    for (let i = 0; i < MAX_LIVE_PER_TOKEN; i++) tabs.push(await openLive(cookies[i % 2] ?? ""));
    for (const tab of tabs) await tab.next("snapshot");

    const newest = await openLive(cookies[0] ?? "");
    await newest.next("snapshot");
    await provision("cam-after");
    const [oldest, ...kept] = tabs;
    if (!oldest) throw new Error("no tabs");
    expect(await closedOrHeard(oldest, "cam-after")).toBe(SUPERSEDED);
    for (const tab of [...kept, newest]) expect(await closedOrHeard(tab, "cam-after")).toBe("heard");
  });

  it("are refused with 429 once they reach twice its limit, counting the replaced ones whose pages never answered their closing", async () => {
    const { readToken } = await fleet("live-unanswered");
    const cookie = await session(await readToken());
    const hash = await hashSecret(cookie.split("=")[1] ?? "");
    const registry = env.REGISTRY.get(env.REGISTRY.idFromName("live-unanswered"));
    await runInDurableObject(registry, async (instance) => {
      // Pages that never accept their end of the socket, so never answer its closing.
      const open = () => instance.fetch(new Request("https://registry/live", { headers: { Upgrade: "websocket", [LIVE_SESSION_HEADER]: hash } }));
      for (let i = 0; i < 2 * MAX_LIVE_PER_TOKEN; i++) expect((await open()).status).toBe(101);
      const refused = await open();
      expect(refused.status).toBe(429);
      expect(await refused.json()).toEqual({ error: `This token has ${MAX_LIVE_PER_TOKEN} live dashboards open, and the ones it replaced have not closed yet.` });
    });
  });
});

describe("a fleet's live dashboards", () => {
  it(`number at most ${MAX_LIVE_PER_FLEET}: one more is refused with 429 and a sentence, and opens once one has closed`, async () => {
    const { readToken } = await fleet("live-per-fleet");
    const tabs: Live[] = [];
    for (let t = 0; t < MAX_LIVE_PER_FLEET / MAX_LIVE_PER_TOKEN; t++) {
      const cookie = await session(await readToken());
      tabs.push(...(await Promise.all(Array.from({ length: MAX_LIVE_PER_TOKEN }, () => openLive(cookie)))));
    }
    const late = await session(await readToken());
    const refused = await upgradeLive(late);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ error: `This fleet has ${MAX_LIVE_PER_FLEET} live dashboards open, as many as a fleet may.` });
    // Every tab was kept: none of them was closed to make room for another token's.
    expect(tabs.filter((tab) => tab.code() !== undefined)).toEqual([]);

    const [first] = tabs;
    first?.ws.close(1000, "tab closed");
    await first?.closed();
    const admitted = await openLive(late);
    await admitted.next("snapshot");
  }, 30_000);
});

describe("a session its token's newer sign-ins replace", () => {
  it(`closes its live dashboards with ${SESSION_ENDED}, as signing out does, and they hear no later change`, async () => {
    const { readToken, provision } = await fleet("live-replaced");
    const token = await readToken();
    const replaced = await session(token);
    const tab = await openLive(replaced);
    await tab.next("snapshot");
    for (let i = 1; i < MAX_SESSIONS_PER_TOKEN; i++) await session(token);

    const newest = await session(token);
    const other = await openLive(newest);
    await other.next("snapshot");
    await provision("cam-after");
    expect(await closedOrHeard(tab, "cam-after")).toBe(SESSION_ENDED);
    expect(await closedOrHeard(other, "cam-after")).toBe("heard");
    expect((await upgradeLive(replaced)).status).toBe(401);
  });
});
