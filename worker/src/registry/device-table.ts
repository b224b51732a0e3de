import { type DevicePage, type DeviceStatus, type DeviceSummary, DeviceSummarySchema } from "@jetson/protocol";
import { statusOf } from "../dashboard/view/fleet-rows.js";
import { deviceAttributes } from "../fleet-ops/attributes.js";
import type { Selector, TermPrefix } from "../fleet-ops/selector.js";
import { allOf, selectorCondition, type SqlCondition, termValuesQuery } from "../fleet-ops/selector-sql.js";
import type { Schema } from "../sqlite-migrations.js";
import { type DeviceFilter, encodeCursor, filterKey } from "./device-query.js";

/** What list filters and selectors read, kept beside the summary (still the record) on every write. */
function indexed(summary: DeviceSummary) {
  const attributes = deviceAttributes(summary);
  const lower = (value: string | undefined) => value?.toLowerCase() ?? null;
  return {
    status: statusOf(summary),
    // The offline alert only restates that the device is offline.
    alerts: (summary.alerts ?? []).filter((alert) => alert.kind !== "offline").length,
    board: attributes.board ?? null,
    soc: lower(attributes.soc),
    jetpack: attributes.jetpack ?? null,
    jetpack_lower: lower(attributes.jetpack),
    l4t: attributes.l4t ?? null,
    l4t_lower: lower(attributes.l4t),
    bridge: attributes.bridge ?? null,
    bridge_lower: lower(attributes.bridge),
    tags: [...new Set(attributes.tags.map((tag) => tag.toLowerCase()))],
    drift: summary.drift?.length ?? 0,
  };
}

type Indexed = ReturnType<typeof indexed>;
type Column = Exclude<keyof Indexed, "tags">;
/** The columns migration 2 added: its fill writes these and no later ones. */
const STEP_2_COLUMNS = ["status", "alerts", "board", "soc", "jetpack", "jetpack_lower", "l4t", "l4t_lower", "bridge", "bridge_lower"] as const satisfies readonly Column[];
const COLUMNS = [...STEP_2_COLUMNS, "drift"] as const satisfies readonly Column[];

const UPSERT =
  `INSERT INTO devices (id, summary, ${COLUMNS.join(", ")}) VALUES (?, ?, ${COLUMNS.map(() => "?").join(", ")}) ` +
  `ON CONFLICT (id) DO UPDATE SET summary = excluded.summary, ${COLUMNS.map((c) => `${c} = excluded.${c}`).join(", ")}`;

function writeTags(sql: SqlStorage, id: string, tags: readonly string[]): void {
  sql.exec("DELETE FROM device_tags WHERE device = ?", id);
  for (const tag of tags) sql.exec("INSERT INTO device_tags (device, tag) VALUES (?, ?)", id, tag);
}

/** A row as every read takes it: the id is the table's key, the summary the JSON written. */
type StoredRow = { id: string; summary: string };

/** The stored JSON, or undefined (which JSON cannot hold) when it is not JSON. */
function storedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A stored summary as the schema reads it. One that does not parse (an Infinity that JSON stored as null, a
 * value written before a bound it breaks) must not fail every page, selection and scrape it falls in: the
 * device is kept under its id with each field that still parses, and logged. A row without even its fleet
 * and presence is left out.
 */
function readSummary(row: StoredRow): DeviceSummary | undefined {
  const stored = storedJson(row.summary);
  const whole = DeviceSummarySchema.safeParse(stored);
  if (whole.success) return whole.data;
  const fields = new Map(typeof stored === "object" && stored !== null ? Object.entries(stored) : []);
  const salvaged = Object.fromEntries(
    Object.entries(DeviceSummarySchema.shape).flatMap(([key, schema]) => {
      const field = schema.safeParse(fields.get(key));
      return field.success && field.data !== undefined ? [[key, field.data]] : [];
    }),
  );
  const partial = DeviceSummarySchema.safeParse({ ...salvaged, id: row.id });
  const issue = whole.error.issues[0];
  const why = stored === undefined ? "not JSON" : `${issue?.path.join(".") || "(whole)"}: ${issue?.message ?? "invalid"}`;
  const kept = partial.success ? `kept with the fields that parse: ${Object.keys(partial.data).join(", ")}` : "left out";
  console.error(`stored summary of device ${row.id} does not parse (${why}); ${kept}`);
  return partial.success ? partial.data : undefined;
}

/** Fills columns a migration added in rows written before it (and their tags, with `tags`), from each summary as the list reads it. */
function fillColumns(sql: SqlStorage, columns: readonly Column[], tags: "tags" | "no tags"): void {
  const rows = sql.exec<StoredRow>("SELECT id, summary FROM devices").toArray();
  const update = `UPDATE devices SET ${columns.map((c) => `${c} = ?`).join(", ")} WHERE id = ?`;
  for (const row of rows) {
    const summary = readSummary(row);
    if (!summary) continue;
    const values = indexed(summary);
    sql.exec(update, ...columns.map((c) => values[c]), row.id);
    if (tags === "tags") writeTags(sql, row.id, values.tags);
  }
}

/** The fleet's devices as their objects last reported them. */
export const DEVICES_SCHEMA: Schema = {
  name: "devices",
  migrations: [
    "CREATE TABLE IF NOT EXISTS devices (id TEXT PRIMARY KEY, summary TEXT NOT NULL)",
    (sql) => {
      sql.exec(`
        ALTER TABLE devices ADD COLUMN status TEXT NOT NULL DEFAULT 'offline';
        ALTER TABLE devices ADD COLUMN alerts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE devices ADD COLUMN board TEXT;
        ALTER TABLE devices ADD COLUMN soc TEXT;
        ALTER TABLE devices ADD COLUMN jetpack TEXT;
        ALTER TABLE devices ADD COLUMN jetpack_lower TEXT;
        ALTER TABLE devices ADD COLUMN l4t TEXT;
        ALTER TABLE devices ADD COLUMN l4t_lower TEXT;
        ALTER TABLE devices ADD COLUMN bridge TEXT;
        ALTER TABLE devices ADD COLUMN bridge_lower TEXT;
        CREATE INDEX devices_status ON devices (status);
        CREATE INDEX devices_board ON devices (board);
        CREATE TABLE device_tags (device TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (device, tag)) WITHOUT ROWID;
        CREATE INDEX device_tags_tag ON device_tags (tag, device);
      `);
      fillColumns(sql, STEP_2_COLUMNS, "tags");
    },
    (sql) => {
      // Which devices drift from their desired state, without parsing every summary.
      sql.exec(`
        ALTER TABLE devices ADD COLUMN drift INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX devices_drift ON devices (drift) WHERE drift > 0;
      `);
      fillColumns(sql, ["drift"], "no tags");
    },
  ],
};

const FILTERS: ReadonlyArray<(filter: DeviceFilter) => SqlCondition | undefined> = [
  (f) => (f.status === undefined ? undefined : { sql: "status = ?", params: [f.status] }),
  (f) => (f.alerts === undefined ? undefined : { sql: f.alerts ? "alerts > 0" : "alerts = 0", params: [] }),
  (f) => (f.selector === undefined ? undefined : selectorCondition(f.selector)),
  // Ids are lower-case: the text is compared lower-cased.
  (f) => (f.text === undefined ? undefined : { sql: "instr(id, ?) > 0", params: [f.text.toLowerCase()] }),
];

const parse = (rows: readonly StoredRow[]) => rows.flatMap((row) => readSummary(row) ?? []);

/** Devices of the fleet by status, and the boards and tags they have: what the dashboard's counts and filters offer. */
export interface FleetFacets {
  counts: Record<DeviceStatus, number>;
  boards: string[];
  tags: string[];
}

/** At most this many tags are offered as filters. */
const MAX_FACET_TAGS = 500;

/**
 * The `devices` table: each device's summary (the record) and the columns its filters read, indexed,
 * so listing a page or selecting devices reads only the rows it returns.
 */
export class DeviceTable {
  constructor(private readonly sql: SqlStorage) {}

  /** Writes the summary; returns the device's status before (undefined: it was not in the fleet). */
  write(summary: DeviceSummary): DeviceStatus | undefined {
    const before = this.sql.exec<{ status: DeviceStatus }>("SELECT status FROM devices WHERE id = ?", summary.id).toArray()[0]?.status;
    const columns = indexed(summary);
    this.sql.exec(UPSERT, summary.id, JSON.stringify(summary), ...COLUMNS.map((c) => columns[c]));
    writeTags(this.sql, summary.id, columns.tags);
    return before;
  }

  remove(id: string): boolean {
    this.sql.exec("DELETE FROM device_tags WHERE device = ?", id);
    return this.sql.exec("DELETE FROM devices WHERE id = ?", id).rowsWritten > 0;
  }

  get(id: string): DeviceSummary | undefined {
    return parse(this.sql.exec<StoredRow>("SELECT id, summary FROM devices WHERE id = ?", id).toArray())[0];
  }

  has(id: string): boolean {
    return this.sql.exec("SELECT 1 FROM devices WHERE id = ?", id).toArray().length > 0;
  }

  /** The devices that drift from their desired state, by id. */
  drifting(): DeviceSummary[] {
    return parse(this.sql.exec<StoredRow>("SELECT id, summary FROM devices WHERE drift > 0 ORDER BY id").toArray());
  }

  /** For each term, up to `limit` distinct values of its key that start with its prefix (lower-cased, as terms compare them). */
  termValues(terms: readonly TermPrefix[], limit: number): string[][] {
    return terms.map(({ key, prefix }) => {
      const query = termValuesQuery(key, prefix, limit);
      return this.sql.exec<{ value: string }>(query.sql, ...query.params).toArray().map((row) => row.value);
    });
  }

  select(selector: Selector): DeviceSummary[] {
    const where = selectorCondition(selector);
    return parse(this.sql.exec<StoredRow>(`SELECT id, summary FROM devices WHERE ${where.sql} ORDER BY id`, ...where.params).toArray());
  }

  /** Up to `limit` devices after `after` (by id) that the filter keeps, how many it keeps in all, and the cursor of the next page. */
  page(filter: DeviceFilter, after: string | undefined, limit: number): DevicePage {
    const where = allOf(FILTERS.flatMap((f) => f(filter) ?? []));
    const total = this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM devices WHERE ${where.sql}`, ...where.params).one().n;
    const rows = this.sql
      .exec<StoredRow>(`SELECT id, summary FROM devices WHERE ${where.sql} AND id > ? ORDER BY id LIMIT ?`, ...where.params, after ?? "", limit + 1)
      .toArray();
    const devices = parse(rows.slice(0, limit));
    // The page's last row, read or not: a row left out must not hold the next page back.
    const last = rows[limit - 1];
    return { devices, total, ...(rows.length > limit && last && { nextCursor: encodeCursor(last.id, filterKey(filter)) }) };
  }

  counts(): Record<DeviceStatus, number> {
    const counts: Record<DeviceStatus, number> = { online: 0, alerting: 0, offline: 0 };
    for (const row of this.sql.exec<{ status: DeviceStatus; n: number }>("SELECT status, count(*) AS n FROM devices GROUP BY status")) counts[row.status] = row.n;
    return counts;
  }

  facets(): FleetFacets {
    const boards = this.sql.exec<{ board: string }>("SELECT DISTINCT board FROM devices WHERE board IS NOT NULL ORDER BY board").toArray().map((r) => r.board);
    const tags = this.sql.exec<{ tag: string }>("SELECT DISTINCT tag FROM device_tags ORDER BY tag LIMIT ?", MAX_FACET_TAGS).toArray().map((r) => r.tag);
    return { counts: this.counts(), boards, tags };
  }
}
