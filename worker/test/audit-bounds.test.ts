import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { AuditEntry, AuditPage } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { jsonBytes, MAX_AUDITED_ARGS_BYTES } from "../src/audit/audit-bounds.js";
import { AUDIT_LIMITS, dayOf, dayStart, shardName } from "../src/audit/audit-days.js";
import { createFleet } from "./device-client.js";
import { rest } from "./rest-call.js";

/**
 * Rows as a release before the bound wrote them, straight into a day's shard: `rows` rows on `day`,
 * each with these arguments (the shard is opened by one ordinary row first, as its first write would).
 */
async function seed(fleet: string, day: number, rows: number, args: Record<string, unknown>): Promise<void> {
  const shard = env.AUDIT_SHARD.get(env.AUDIT_SHARD.idFromName(shardName(fleet, day)));
  const at = dayStart(day);
  await shard.append(fleet, day, { at, caller: "token:seed", device: "seeded", action: "system.ping", args: {}, outcome: "succeeded", durationMs: 0 });
  const text = JSON.stringify(args);
  await runInDurableObject(shard, (_object, state) => {
    for (let i = 1; i <= rows; i++) {
      state.storage.sql.exec(
        "INSERT INTO audit (at, caller, device, action, args, outcome, error, duration_ms) VALUES (?, 'token:seed', 'seeded', 'containers.remove', ?, 'refused', 'permission_denied: no', 0)",
        at + i,
        text,
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
      "[truncated]": expect.stringMatching(/^\d+ bytes of arguments, more than the 4096 an audit row keeps/),
      bytes: { container: 5, names: jsonBytes(names) },
    });
    expect(jsonBytes(row?.args)).toBeLessThanOrEqual(MAX_AUDITED_ARGS_BYTES);
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
});
