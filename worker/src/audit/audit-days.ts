/**
 * How a fleet's audit trail is spread over Durable Objects: one AuditShardObject per UTC day,
 * named `<fleet>:audit:<YYYY-MM-DD>`, holding the rows whose `at` falls on that day.
 *
 * Why per day and not per device: the fleet-wide question ("what happened lately", filtered or
 * not) is the common one, and the REST route, the MCP resource and the dashboard all page it
 * newest first. By day, a page of the latest entries reads one or two objects and any page stops
 * as soon as it is full, because days are disjoint in time; by device, every page would have to
 * ask every device's shard (10,000 at the scale issue 16 aims at). Writes spread less (one object a
 * day takes the fleet's audit writes, about two per command), which is far below an object's
 * ~1,000 requests per second at the command rates the rate limits allow, and retention becomes
 * deleting a whole object instead of scanning rows.
 */

export const DAY_MS = 86_400_000;

/**
 * A fleet's trail keeps 90 days (a day's object is deleted whole once its last row is that old), at most five million
 * rows a day: 57 commands a second all day (two writes, one row each), about 1.7 GiB at 360 bytes a row, within an
 * object's 10 GB. A page answers at most 1 MiB of entries as JSON (fewer than its limit, with a cursor, when they are
 * larger): some hundreds of rows at the largest a row may be, all of a page of 1,000 ordinary ones.
 */
export const AUDIT_LIMITS = { retentionMs: 90 * DAY_MS, maxRowsPerDay: 5_000_000, maxPageBytes: 1_048_576 };

/** Entry ids are `day × ROW_SPAN + row`: the id names the object that holds the row. A day never holds 2³² rows. */
const ROW_SPAN = 2 ** 32;

/** Day 0 (1970-01-01) never holds rows: ids below ROW_SPAN are those of the registry's own table, from before the trail was sharded. */
export const LEGACY_DAY = 0;

export const dayOf = (at: number): number => Math.floor(at / DAY_MS);

export const dayStart = (day: number): number => day * DAY_MS;

/** When a day's object is deleted: its last instant has left the retention window. */
export const dropAt = (day: number): number => dayStart(day + 1) + AUDIT_LIMITS.retentionMs;

/** The first id of a day's rows (0 for the registry's table). */
export const idBase = (day: number): number => day * ROW_SPAN;

/** The day whose object holds this entry (LEGACY_DAY: the registry's table). */
export const dayOfId = (id: number): number => Math.floor(id / ROW_SPAN);

export function shardName(fleet: string, day: number): string {
  return `${fleet}:audit:${new Date(dayStart(day)).toISOString().slice(0, 10)}`;
}
