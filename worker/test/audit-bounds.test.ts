import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { AuditEntry, AuditPage } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { jsonBytes, MAX_AUDITED_ARGS_BYTES, MAX_REFUSED_ARGS_BYTES } from "../src/audit/audit-bounds.js";
import { AUDIT_LIMITS, dayOf, dayStart, shardName } from "../src/audit/audit-days.js";
import { AuditShardObject } from "../src/audit/audit-shard-object.js";
import { createFleet } from "./device-client.js";
import { rest } from "./rest-call.js";

/**
 * Rows as a release before the bound wrote them, straight into a day's shard: `rows` failed containers.remove
 * rows on `day`, each with these arguments and this error (the shard is opened by one system.ping row first,
 * as its first write would).
 */
async function seed(fleet: string, day: number, rows: number, args: Record<string, unknown>, error = "command_failed: no"): Promise<void> {
  const shard = env.AUDIT_SHARD.get(env.AUDIT_SHARD.idFromName(shardName(fleet, day)));
  const at = dayStart(day);
  await shard.append(fleet, day, { at, caller: "token:seed", device: "seeded", action: "system.ping", args: {}, outcome: "succeeded", durationMs: 0 });
  const text = JSON.stringify(args);
  await runInDurableObject(shard, (_object, state) => {
    for (let i = 1; i <= rows; i++) {
      state.storage.sql.exec(
        "INSERT INTO audit (at, caller, device, action, args, outcome, error, duration_ms) VALUES (?, 'token:seed', 'seeded', 'containers.remove', ?, 'failed', ?, 0)",
        at + i,
        text,
        error,
      );
    }
  });
}

/** Every page of the fleet's trail from the newest, following each cursor; each page as answered. */
async function everyPage(token: string, limit: number): Promise<AuditPage[]> {
  const pages: AuditPage[] = [];
  for (let cursor: string | undefined = ""; cursor !== undefined; ) {
    const page: { status: number; body: AuditPage } = await rest<AuditPage>(token, "GET", `/api/audit?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(page.status).toBe(200);
    pages.push(page.body);
    cursor = page.body.nextCursor;
  }
  return pages;
}

/** Runs `body` counting the bytes of JSON the day shards answer to each audit page asked of them (they run in this isolate). */
async function countingShardBytes<T>(body: (pulled: () => number) => Promise<T>): Promise<T> {
  const page = AuditShardObject.prototype.page;
  let pulled = 0;
  AuditShardObject.prototype.page = async function (this: AuditShardObject, ...args: Parameters<typeof page>) {
    const entries = await page.apply(this, args);
    pulled += jsonBytes(entries);
    return entries;
  };
  try {
    return await body(() => pulled);
  } finally {
    AuditShardObject.prototype.page = page;
  }
}

describe("the audit trail's size", () => {
  it("keeps a refused call's oversized arguments as a summary that still says what was tried", async () => {
    const admin = await createFleet("bounds-refused");
    expect((await rest(admin, "POST", "/api/devices", { id: "big-1" })).status).toBe(201);
    const reader = (await rest<{ token: string }>(admin, "POST", "/api/tokens", { name: "viewer", scopes: ["read"] })).body.token;
    const names = Array.from({ length: 12_000 }, (_, i) => `container-${i}`);
    const refused = await rest(reader, "POST", "/api/devices/big-1/actions/containers.remove", { args: { container: "web", names }, confirm: true });
    expect(refused.status).toBe(403);

    const [row] = (await rest<{ entries: AuditEntry[] }>(admin, "GET", "/api/audit?device=big-1")).body.entries;
    expect(row).toMatchObject({ caller: expect.stringMatching(/^token:/), action: "containers.remove", outcome: "refused" });
    expect(row?.args).toEqual({
      "[truncated]": expect.stringMatching(/^\d+ bytes of arguments, more than the 1024 an audit row keeps/),
      bytes: { container: 5, names: jsonBytes(names) },
    });
    expect(jsonBytes(row?.args)).toBeLessThanOrEqual(MAX_REFUSED_ARGS_BYTES);
  });

  it("keeps of a read-only caller's refused call 1 KiB of arguments, naming as many of their keys as fit", async () => {
    const admin = await createFleet("bounds-read-refusal");
    expect((await rest(admin, "POST", "/api/devices", { id: "big-2" })).status).toBe(201);
    const reader = (await rest<{ token: string }>(admin, "POST", "/api/tokens", { name: "viewer", scopes: ["read"] })).body.token;
    // The largest row a read-only token could write: an unknown action's long name, and arguments just within the 4 KiB an ordinary row keeps.
    const args = Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`${String(i).padStart(2, "0")}${"k".repeat(62)}`, "v".repeat(90)]));
    expect(jsonBytes(args)).toBeLessThan(MAX_AUDITED_ARGS_BYTES);
    const action = `x.${"a".repeat(990)}`;
    expect((await rest(reader, "POST", `/api/devices/big-2/actions/${action}`, { args })).status).toBeGreaterThanOrEqual(400);

    const [row] = (await rest<{ entries: AuditEntry[] }>(admin, "GET", "/api/audit?device=big-2")).body.entries;
    expect(row).toMatchObject({ action, outcome: "refused" });
    expect(row?.args).toMatchObject({
      "[truncated]": `${jsonBytes(args)} bytes of arguments, more than the 1024 an audit row keeps; bytes of each below`,
      otherKeys: expect.any(Number),
    });
    const kept = row?.args.bytes as Record<string, number>;
    expect(Object.keys(kept).length + Number(row?.args.otherKeys)).toBe(24);
    expect(Object.entries(kept)).toEqual(Object.keys(args).slice(0, Object.keys(kept).length).map((key) => [key, 92]));
    expect(jsonBytes(row?.args)).toBeLessThanOrEqual(MAX_REFUSED_ARGS_BYTES);
  });

  it("answers every page of rows written whole before the bound, each entry once, their arguments summarised", async () => {
    const admin = await createFleet("bounds-old");
    // 150 rows of 250 KB: over the 32 MiB one answer between objects may carry.
    await seed("bounds-old", dayOf(Date.now()), 150, { container: "web", names: "x".repeat(250_000) });
    const pages = await everyPage(admin, 300);
    const entries = pages.flatMap((page) => page.entries);
    expect(entries).toHaveLength(151);
    expect(new Set(entries.map((entry) => entry.id)).size).toBe(151);
    for (const entry of entries.filter((e) => e.action === "containers.remove")) {
      expect(entry.args).toMatchObject({ "[truncated]": expect.any(String), bytes: { container: 5, names: 250_002 } });
    }
  });

  it("stops a page at its size in bytes, short of its limit, and its cursor reads on: each entry once, across days", async () => {
    const admin = await createFleet("bounds-wide");
    // Arguments just within the bound, kept whole: 400 rows are some 1.6 MB.
    const args = { note: "y".repeat(MAX_AUDITED_ARGS_BYTES - 100) };
    const today = dayOf(Date.now());
    await seed("bounds-wide", today, 200, args);
    await seed("bounds-wide", today - 1, 200, args);
    const pages = await everyPage(admin, 1_000);
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expect(jsonBytes(page.entries)).toBeLessThanOrEqual(AUDIT_LIMITS.maxPageBytes);
    const entries = pages.flatMap((page) => page.entries);
    expect(entries).toHaveLength(402);
    expect(new Set(entries.map((entry) => entry.id)).size).toBe(402);
    const order = entries.map((entry) => [entry.at, entry.id] as const);
    expect(order).toEqual([...order].sort((a, b) => b[0] - a[0] || b[1] - a[1]));
  });

  it("pulls about a page's bytes from the day shards however many days of large rows a filter reaches, and pages through them each once, in order", async () => {
    const fleet = "bounds-heavy";
    const admin = await createFleet(fleet);
    const today = dayOf(Date.now());
    // The 15 newest days hold nothing the filter matches; the 16 before them 100 rows of some 5 KB each (arguments and error as large as a row keeps).
    for (let day = today; day > today - 15; day--) await seed(fleet, day, 0, {});
    const args = Object.fromEntries(["a", "b", "c", "d"].map((key) => [key, "y".repeat(990)]));
    for (let day = today - 15; day > today - 31; day--) await seed(fleet, day, 100, args, `command_failed: ${"e".repeat(1_000)}`);

    const pages = await countingShardBytes(async (pulled) => {
      const answered: Array<{ page: AuditPage; pulled: number }> = [];
      for (let cursor: string | undefined = ""; cursor !== undefined; ) {
        const before = pulled();
        const page: { status: number; body: AuditPage } = await rest<AuditPage>(admin, "GET", `/api/audit?limit=1000&action=containers.remove${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
        expect(page.status).toBe(200);
        answered.push({ page: page.body, pulled: pulled() - before });
        cursor = page.body.nextCursor;
      }
      return answered;
    });
    const entries = pages.flatMap(({ page }) => page.entries);
    const row = Math.max(...entries.map(jsonBytes));
    expect(row).toBeGreaterThan(5_000);
    // Each shard asked passes its share of the page by one row at most: 16 are asked at once here.
    for (const { page, pulled } of pages) {
      expect(jsonBytes(page.entries)).toBeLessThanOrEqual(AUDIT_LIMITS.maxPageBytes);
      expect(pulled).toBeLessThanOrEqual(AUDIT_LIMITS.maxPageBytes + 16 * row);
    }
    // The count saw every row answered (each at least once), so the bound above measured them.
    expect(pages.reduce((sum, { pulled }) => sum + pulled, 0)).toBeGreaterThanOrEqual(jsonBytes(entries));
    expect(entries).toHaveLength(16 * 100);
    expect(new Set(entries.map((entry) => entry.id)).size).toBe(16 * 100);
    const order = entries.map((entry) => [entry.at, entry.id] as const);
    expect(order).toEqual([...order].sort((a, b) => b[0] - a[0] || b[1] - a[1]));
  }, 60_000);
});
