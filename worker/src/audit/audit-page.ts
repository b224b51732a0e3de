import { type AuditEntry, type AuditPage, type AuditPosition, encodeAuditCursor } from "@jetson/protocol";
import { jsonBytes } from "./audit-bounds.js";
import { AUDIT_LIMITS } from "./audit-days.js";

const newestFirst = (a: AuditEntry, b: AuditEntry): number => b.at - a.at || b.id - a.id;

/** Whether `a` comes after `b` in a page, newest first by (at, id). */
const olderThan = (a: AuditPosition, b: AuditPosition): boolean => a.at < b.at || (a.at === b.at && a.id < b.id);

/**
 * One page gathered from the tables that hold its rows, each asked for `limit + 1` rows and a share of the page's
 * bytes (AuditTable.page). A table that answered all the rows or more than the bytes it was asked for may hold
 * more, older than its last row: the page ends at the newest such row, and what is older waits for the next page.
 * So the bytes pulled from the tables stay near AUDIT_LIMITS.maxPageBytes however large rows are and however many
 * tables are asked at once: each table passes its share by one row at most.
 */
export class AuditPageGathering {
  private readonly found: Array<{ entry: AuditEntry; bytes: number }> = [];
  /** The newest last row of a table that may hold more. */
  private cut: AuditEntry | undefined;
  private pulled = 0;

  constructor(private readonly limit: number) {}

  /** The bytes still to share among the tables asked next (0 once the page's worth has been pulled: a table then answers one row). */
  get spare(): number {
    return Math.max(0, AUDIT_LIMITS.maxPageBytes - this.pulled);
  }

  /** Whether the tables of older days can add nothing: a table stopped short, or a page's worth of rows or bytes is here. */
  get full(): boolean {
    return this.cut !== undefined || this.pulled >= AUDIT_LIMITS.maxPageBytes || this.found.length > this.limit;
  }

  /** A table's answer to a slice of `limit + 1` rows and `maxBytes`; answers its bytes. */
  add(entries: AuditEntry[], maxBytes: number): number {
    let bytes = 0;
    for (const entry of entries) {
      const size = jsonBytes(entry);
      this.found.push({ entry, bytes: size });
      bytes += size;
    }
    this.pulled += bytes;
    const last = entries.at(-1);
    if (last && (entries.length > this.limit || bytes > maxBytes) && (!this.cut || olderThan(this.cut, last))) this.cut = last;
    return bytes;
  }

  /**
   * The page: rows newer than `unasked` (the first instant after the newest day not asked, when one is left) and not
   * past the cut, `limit` at most and AUDIT_LIMITS.maxPageBytes at most (always one); a cursor when anything may follow.
   */
  page(unasked?: number): AuditPage {
    const known = this.found
      .filter(({ entry }) => (unasked === undefined || entry.at >= unasked) && !(this.cut && olderThan(entry, this.cut)))
      .sort((a, b) => newestFirst(a.entry, b.entry));
    const entries: AuditEntry[] = [];
    let bytes = 0;
    for (const { entry, bytes: size } of known.slice(0, this.limit)) {
      bytes += size;
      if (bytes > AUDIT_LIMITS.maxPageBytes && entries.length > 0) break;
      entries.push(entry);
    }
    const last = entries.at(-1);
    const more = this.found.length > entries.length || this.cut !== undefined || unasked !== undefined;
    return more && last ? { entries, nextCursor: encodeAuditCursor({ at: last.at, id: last.id }) } : { entries };
  }
}
