import { exports } from "cloudflare:workers";
import type { ApiToken } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { createFleet, OPERATOR } from "./device-client.js";
import { rest } from "./rest-call.js";

const LAST_ADMIN =
  "This is the last live token of this fleet with the admin scope: revoked, nobody could administer the fleet again. Create another admin token first, then revoke this one.";

const tokens = async (admin: string) => (await rest<{ tokens: ApiToken[] }>(admin, "GET", "/api/tokens")).body.tokens;
const newToken = async (admin: string, name: string, scopes: string[]) =>
  (await rest<ApiToken & { token: string }>(admin, "POST", "/api/tokens", { name, scopes })).body;

describe("revoking a fleet's API tokens", () => {
  it("keeps the last live admin token, with a 409 saying why, so the fleet can still be administered", async () => {
    const FLEET = "revoke-last-admin";
    const first = await createFleet(FLEET);
    const [firstId] = (await tokens(first)).map((t) => t.id);
    const reader = await newToken(first, "reader", ["read"]);

    expect(await rest(first, "DELETE", `/api/tokens/${firstId}`)).toEqual({ status: 409, body: { error: LAST_ADMIN } });
    // Still live, and still administering: another token without admin makes no difference.
    expect((await tokens(first)).find((t) => t.id === firstId)?.revokedAt).toBeUndefined();
    expect((await rest(first, "DELETE", `/api/tokens/${reader.id}`)).status).toBe(204);
    expect(await rest(first, "DELETE", `/api/tokens/${firstId}`)).toEqual({ status: 409, body: { error: LAST_ADMIN } });

    // The operator secret cannot stand in: the fleet exists.
    const again = await exports.default.fetch("http://w/admin/fleets", { method: "POST", headers: { ...OPERATOR, "Content-Type": "application/json" }, body: JSON.stringify({ id: FLEET }) });
    expect(again.status).toBe(409);
  }, 30_000);

  it("revokes an admin token while another live one remains, then keeps that one", async () => {
    const FLEET = "revoke-admin-with-another";
    const first = await createFleet(FLEET);
    const [firstId] = (await tokens(first)).map((t) => t.id);
    const second = await newToken(first, "second admin", ["read", "admin"]);

    expect((await rest(second.token, "DELETE", `/api/tokens/${firstId}`)).status).toBe(204);
    expect((await rest(first, "GET", "/api/tokens")).status).toBe(401);
    expect(await rest(second.token, "DELETE", `/api/tokens/${second.id}`)).toEqual({ status: 409, body: { error: LAST_ADMIN } });
    expect((await tokens(second.token)).map((t) => [t.name, t.revokedAt === undefined ? "live" : "revoked"])).toEqual([
      ["fleet administrator", "revoked"],
      ["second admin", "live"],
    ]);
  }, 30_000);
});
