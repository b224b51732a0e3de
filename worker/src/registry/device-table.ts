import { type DeviceAttributes, type DevicePage, type DeviceStatus, type DeviceSummary, DeviceSummarySchema, type Drift } from "@jetson/protocol";
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

/** One page of a fleet-wide read, in id order: `after` is where the next page starts, absent on the last page. */
export interface FleetPage<T> {
  devices: T[];
  after?: string;
}

/** A device a selector chose, as selectors read it; with a canary selector, whether that one chooses it too. */
export type ChosenDevice = DeviceAttributes & { canary?: boolean };

export interface DeviceDrift {
  id: string;
  drift: Drift[];
}

/**
 * Devices per page of a fleet-wide read, so that no answer nears the 32 MiB an RPC may carry, whatever the
 * fleet's size: a device as selectors read it is at most about 2.3 KB (32 tags of 63 characters), its drift
 * at most about 100 KB (20 differences, each with a 4,000-character reason). Each page evaluates its selector
 * again (a tag with `*` scans every tag of the fleet), so pages of selected devices are as large as that allows.
 */
export const FLEET_PAGE = { chosen: 5_000, drift: 100 } as const;

/**
 * A stored summary as a fleet-wide read takes it: what the read does not answer is left out in SQL, so that the
 * registry parses only that (a device's capabilities alone may be 64 KB). Text that is not JSON is taken as it is.
 */
const summaryFor = (json: string) => `CASE WHEN json_valid(summary) THEN ${json} ELSE summary END AS summary`;
/** What selectors read: the state without its capabilities (which the schema requires: an empty list), no alerts, figures or drift. */
const FOR_SELECTORS = summaryFor("json_replace(json_remove(summary, '$.alerts', '$.latest', '$.drift'), '$.state.capabilities', json('[]'))");
const FOR_DRIFT = summaryFor("json_remove(summary, '$.state', '$.alerts', '$.latest')");

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

  /** A page of the devices that drift from their desired state, by id, with their drift. */
  drifting(after: string | undefined): FleetPage<DeviceDrift> {
    const page = this.rows({ sql: "drift > 0", params: [] }, after, FLEET_PAGE.drift, FOR_DRIFT);
    return { ...page, devices: parse(page.devices).flatMap((d) => (d.drift?.length ? [{ id: d.id, drift: d.drift }] : [])) };
  }

  /** For each term, up to `limit` distinct values of its key that start with its prefix (lower-cased, as terms compare them). */
  termValues(terms: readonly TermPrefix[], limit: number): string[][] {
    return terms.map(({ key, prefix }) => {
      const query = termValuesQuery(key, prefix, limit);
      return this.sql.exec<{ value: string }>(query.sql, ...query.params).toArray().map((row) => row.value);
    });
  }

  /** A page of the devices a selector chooses, by id; with `canary`, each says whether that selector chooses it too. */
  select(selector: Selector, after: string | undefined, canary: Selector | undefined): FleetPage<ChosenDevice> {
    const page = this.rows(selectorCondition(selector), after, FLEET_PAGE.chosen, FOR_SELECTORS);
    const devices = parse(page.devices).map(deviceAttributes);
    if (!canary) return { ...page, devices };
    const also = this.chosenAmong(devices.map((d) => d.id), canary);
    return { ...page, devices: devices.map((d) => ({ ...d, canary: also.has(d.id) })) };
  }

  /** Which of `ids` the selector chooses: a statement of its own, so that two selectors never share SQLite's 100 parameters. */
  private chosenAmong(ids: readonly string[], selector: Selector): Set<string> {
    const where = selectorCondition(selector);
    const rows = this.sql.exec<{ id: string }>(
      `SELECT id FROM devices WHERE id IN (SELECT value FROM json_each(?)) AND ${where.sql}`,
      JSON.stringify(ids),
      ...where.params,
    );
    return new Set(rows.toArray().map((row) => row.id));
  }

  /** Up to `limit` rows after `after` (by id) that `where` keeps, each summary as `read` takes it, and where the next page starts. */
  private rows(where: SqlCondition, after: string | undefined, limit: number, read = "summary"): FleetPage<StoredRow> {
    const rows = this.sql
      .exec<StoredRow>(`SELECT id, ${read} FROM devices WHERE ${where.sql} AND id > ? ORDER BY id LIMIT ?`, ...where.params, after ?? "", limit + 1)
      .toArray();
    // The page's last row, read or not: a row left out must not hold the next page back.
    const last = rows[limit - 1];
    return { devices: rows.slice(0, limit), ...(rows.length > limit && last && { after: last.id }) };
  }

  /** Up to `limit` devices after `after` (by id) that the filter keeps, how many it keeps in all, and the cursor of the next page. */
  page(filter: DeviceFilter, after: string | undefined, limit: number): DevicePage {
    const where = allOf(FILTERS.flatMap((f) => f(filter) ?? []));
    const total = this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM devices WHERE ${where.sql}`, ...where.params).one().n;
    const rows = this.rows(where, after, limit);
    return { devices: parse(rows.devices), total, ...(rows.after !== undefined && { nextCursor: encodeCursor(rows.after, filterKey(filter)) }) };
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
