import { describe, expect, it } from "vitest";
import { CredentialCache, REQUESTS_PER_CHECK } from "./credential-cache.js";
import type { TokenCheck } from "./registry/registry-object.js";

/** A registry stand-in that says yes (or `answer`) and records which hashes it was asked about, and the requests each check charged. */
function registry(answer: (hash: string) => TokenCheck = (hash) => ({ ok: true, id: `tok_${hash}`, scopes: ["read"] })) {
  const asked: string[] = [];
  const charged: number[] = [];
  return {
    asked,
    charged,
    check: (cache: CredentialCache, hash: string) =>
      cache.check("token", "fleet", hash, async (served) => {
        asked.push(hash);
        charged.push(served);
        return answer(hash);
      }),
  };
}

describe("CredentialCache", () => {
  it("holds at most its capacity, dropping the least recently used", async () => {
    const cache = new CredentialCache(2);
    const { asked, check } = registry();
    for (const hash of ["a", "b", "a", "c"]) await check(cache, hash);
    expect(cache.size).toBe(2);
    expect(asked).toEqual(["a", "b", "c"]);
    await check(cache, "a");
    await check(cache, "b");
    expect(asked).toEqual(["a", "b", "c", "b"]);
    expect(cache.size).toBe(2);
  });

  it("asks once for concurrent requests with one credential", async () => {
    const cache = new CredentialCache();
    const { asked, check } = registry();
    const answers = await Promise.all(Array.from({ length: 5 }, () => check(cache, "x")));
    expect(answers).toEqual(Array(5).fill({ ok: true, id: "tok_x", scopes: ["read"] }));
    expect(asked).toEqual(["x"]);
  });

  it(`answers ${REQUESTS_PER_CHECK} requests per check at most, and has each next check charge those it answered`, async () => {
    const cache = new CredentialCache();
    const { charged, check } = registry();
    for (let i = 0; i < 2 * REQUESTS_PER_CHECK + 1; i++) await check(cache, "x");
    expect(charged).toEqual([0, REQUESTS_PER_CHECK, REQUESTS_PER_CHECK]);
  });

  it("keeps no refusal: each request with an unknown or rate-limited credential asks again", async () => {
    const cache = new CredentialCache();
    const { asked, check } = registry(() => ({ ok: false, reason: "invalid" }));
    expect(await check(cache, "bad")).toEqual({ ok: false, reason: "invalid" });
    expect(await check(cache, "bad")).toEqual({ ok: false, reason: "invalid" });
    expect(asked).toEqual(["bad", "bad"]);
    expect(cache.size).toBe(0);
  });
});
