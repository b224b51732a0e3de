import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { CREDENTIAL_TTL_MS, REQUESTS_PER_CHECK } from "../src/credential-cache.js";
import { hashSecret } from "../src/credentials.js";
import { RegistryObject } from "../src/registry/registry-object.js";
import { createFleet } from "./device-client.js";
import { withControlledClock } from "./frozen-clock.js";

const ORIGIN = new URL(env.PUBLIC_URL).origin;
const registry = (fleet: string) => env.REGISTRY.get(env.REGISTRY.idFromName(fleet));

function rest(token: string, init: { method?: string; body?: unknown; path?: string } = {}) {
  return exports.default.fetch(`${ORIGIN}${init.path ?? "/api/devices"}`, {
    method: init.method ?? "GET",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

const dashboard = (cookie: string) => exports.default.fetch(`${ORIGIN}/dashboard/api/devices`, { headers: { Cookie: cookie } });

async function newToken(name: string): Promise<{ token: string; id: string }> {
  const response = await rest(admin, { method: "POST", path: "/api/tokens", body: { name, scopes: ["read"] } });
  expect(response.status).toBe(201);
  return (await response.json()) as { token: string; id: string };
}

/** Signs in and returns the `name=value` to send back as Cookie. */
async function signIn(secret: string): Promise<string> {
  const response = await exports.default.fetch(`${ORIGIN}/signin`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: ORIGIN, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: secret, next: "/" }),
  });
  expect(response.status).toBe(303);
  return (response.headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
}

const cookieSecret = (cookie: string) => cookie.split("=")[1] ?? "";

/** Counts the registry's `method` calls made while `body` runs (the objects run in this isolate, so their class is this one). */
async function registryCalls(method: "checkToken" | "checkSession", body: () => Promise<void>): Promise<number> {
  const original = RegistryObject.prototype[method];
  let calls = 0;
  RegistryObject.prototype[method] = function (this: RegistryObject, hash: string, served: number) {
    calls += 1;
    return original.call(this, hash, served);
  };
  try {
    await body();
  } finally {
    RegistryObject.prototype[method] = original;
  }
  return calls;
}

/** Ten seconds of requests, two TTLs: each pool request gets slower as they pile up, so not 1,000 (the ratio is the same). */
const STEADY_REQUESTS = 200;

let admin: string;

beforeAll(async () => {
  admin = await createFleet("cache");
  await createFleet("cache-other");
});

describe(`an isolate trusts a registry's yes for ${CREDENTIAL_TTL_MS} ms`, () => {
  it("serves a token revoked in another isolate until then, and refuses it from then on", async () => {
    const { token, id } = await newToken("elsewhere");
    await withControlledClock(async (advance) => {
      expect((await rest(token)).status).toBe(200);
      // Another isolate's revocation: straight to the registry, past this isolate's cache.
      expect(await registry("cache").revokeToken(id)).toBe("revoked");
      expect((await rest(token)).status).toBe(200);
      advance(CREDENTIAL_TTL_MS - 1);
      expect((await rest(token)).status).toBe(200);
      advance(1);
      expect((await rest(token)).status).toBe(401);
    });
  });

  it("opens no dashboard session with a token revoked in another isolate, however recently this one checked it", async () => {
    const { token, id } = await newToken("signs-in-late");
    await withControlledClock(async () => {
      expect((await rest(token)).status).toBe(200);
      await registry("cache").revokeToken(id);
      const response = await exports.default.fetch(`${ORIGIN}/signin`, {
        method: "POST",
        redirect: "manual",
        headers: { Origin: ORIGIN, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token, next: "/" }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("Set-Cookie")).toBeNull();
    });
  });

  it("refuses a token revoked in this isolate at once", async () => {
    const { token, id } = await newToken("here");
    await withControlledClock(async () => {
      expect((await rest(token)).status).toBe(200);
      expect((await rest(admin, { method: "DELETE", path: `/api/tokens/${id}` })).status).toBe(204);
      expect((await rest(token)).status).toBe(401);
    });
  });

  it("serves a dashboard session ended in another isolate until then, and refuses it from then on", async () => {
    const cookie = await signIn((await newToken("browser")).token);
    await withControlledClock(async (advance) => {
      expect((await dashboard(cookie)).status).toBe(200);
      await registry("cache").endSession(await hashSecret(cookieSecret(cookie)));
      advance(CREDENTIAL_TTL_MS - 1);
      expect((await dashboard(cookie)).status).toBe(200);
      advance(1);
      expect((await dashboard(cookie)).status).toBe(401);
    });
  });

  it("ends a session signed out in this isolate, and those of a token revoked here, at once", async () => {
    const viewer = await newToken("browser-here");
    const [signedOut, ofRevoked] = [await signIn(viewer.token), await signIn(viewer.token)];
    await withControlledClock(async () => {
      expect((await dashboard(signedOut)).status).toBe(200);
      expect((await dashboard(ofRevoked)).status).toBe(200);
      await exports.default.fetch(`${ORIGIN}/signout`, { method: "POST", redirect: "manual", headers: { Cookie: signedOut, Origin: ORIGIN } });
      expect((await dashboard(signedOut)).status).toBe(401);
      expect((await rest(admin, { method: "DELETE", path: `/api/tokens/${viewer.id}` })).status).toBe(204);
      expect((await dashboard(ofRevoked)).status).toBe(401);
    });
  });

  it("never answers for another fleet's secret or a different secret from a cached one", async () => {
    const { token } = await newToken("cached");
    const cookie = await signIn(token);
    expect((await rest(token)).status).toBe(200);
    expect((await dashboard(cookie)).status).toBe(200);
    const secret = token.slice("jft_cache_".length);
    expect((await rest(`jft_cache-other_${secret}`)).status).toBe(401);
    expect((await rest(`jft_cache_${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`)).status).toBe(401);
    expect((await dashboard(cookie.replace("=cache.", "=cache-other."))).status).toBe(401);
  });
});

describe("registry calls", () => {
  it(`one check for ${REQUESTS_PER_CHECK} requests with one token within the time, where every request made one before`, async () => {
    const { token } = await newToken("counted");
    const calls = await registryCalls("checkToken", () =>
      withControlledClock(async () => {
        for (let i = 0; i < REQUESTS_PER_CHECK; i++) expect((await rest(token)).status).toBe(200);
      }),
    );
    expect(calls).toBe(1);
  });

  it("one check for a dashboard session's requests within the time", async () => {
    const cookie = await signIn((await newToken("counted-browser")).token);
    const calls = await registryCalls("checkSession", () =>
      withControlledClock(async () => {
        for (let i = 0; i < 10; i++) expect((await dashboard(cookie)).status).toBe(200);
      }),
    );
    expect(calls).toBe(1);
  });

  it(`${STEADY_REQUESTS} requests at the token's full rate (20 a second) make ${STEADY_REQUESTS} / ${REQUESTS_PER_CHECK} registry calls, none refused`, async () => {
    const { token } = await newToken("steady");
    const statuses: number[] = [];
    const calls = await registryCalls("checkToken", () =>
      withControlledClock(async (advance) => {
        for (let i = 0; i < STEADY_REQUESTS; i++) {
          const response = await rest(token);
          await response.body?.cancel();
          statuses.push(response.status);
          advance(50);
        }
      }),
    );
    expect(statuses).toEqual(Array(STEADY_REQUESTS).fill(200));
    expect(calls).toBe(STEADY_REQUESTS / REQUESTS_PER_CHECK);
  }, 60_000);
});
