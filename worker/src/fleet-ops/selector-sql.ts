import type { Selector, SelectorKey, SelectorTerm } from "./selector.js";

/** A WHERE condition and its parameters, in order. */
export interface SqlCondition {
  sql: string;
  params: (string | number)[];
}

type PatternSql = (pattern: string) => SqlCondition;

/*
 * Every selector term is answered in SQL, with the same meaning as `selects()` (selector.ts), over the
 * columns device-table.ts keeps beside each summary. Patterns hold only [a-z0-9_.*-], so in GLOB only `*`
 * is special; glob columns hold the value lower-cased in JS, as `globMatches` compares it. A term on a value
 * the device never reported is false (never NULL), so its negation holds, as in JS. Each value binds at most
 * one parameter: MAX_SELECTOR_VALUES (selector.ts) keeps a statement within SQLite's limits.
 */
/** GLOB only for a pattern with `*` (parseSelector keeps those within SQLite's pattern limit); any other value is compared as it is. */
const matching = (column: string, pattern: string) => (pattern.includes("*") ? `${column} GLOB ?` : `${column} = ?`);

const glob =
  (column: string): PatternSql =>
  (pattern) => ({ sql: `(${column} IS NOT NULL AND ${matching(column, pattern)})`, params: [pattern] });

/**
 * `6` matches 6 and 6.2 but not 60, compared as reported (case kept, as `release` in selector.ts): "6." starts
 * the value with a "." added. The length is ours, written into the SQL, so the value binds one parameter
 * (MAX_SELECTOR_VALUES counts on it). With a `*`, a glob.
 */
const release =
  (reported: string, lower: string): PatternSql =>
  (pattern) =>
    pattern.includes("*")
      ? glob(lower)(pattern)
      : { sql: `(${reported} IS NOT NULL AND substr(${reported} || '.', 1, ${pattern.length + 1}) = ?)`, params: [`${pattern}.`] };

const TERM_SQL = {
  // Device ids are lower-case (DeviceIdSchema).
  id: glob("id"),
  tag: (pattern) => ({ sql: `id IN (SELECT device FROM device_tags WHERE ${matching("tag", pattern)})`, params: [pattern] }),
  board: glob("board"),
  soc: glob("soc"),
  jetpack: release("jetpack", "jetpack_lower"),
  l4t: release("l4t", "l4t_lower"),
  bridge: release("bridge", "bridge_lower"),
  online: (pattern) => ({ sql: pattern === "true" ? "status <> 'offline'" : "status = 'offline'", params: [] }),
} satisfies Record<SelectorKey, PatternSql>;

function termCondition(term: SelectorTerm): SqlCondition {
  const alternatives = term.values.map(TERM_SQL[term.key]);
  const either = `(${alternatives.map((a) => a.sql).join(" OR ")})`;
  return { sql: term.negate ? `NOT ${either}` : either, params: alternatives.flatMap((a) => a.params) };
}

/** All of `conditions` (true when there are none). */
export function allOf(conditions: readonly SqlCondition[]): SqlCondition {
  if (conditions.length === 0) return { sql: "1", params: [] };
  return { sql: conditions.map((c) => c.sql).join(" AND "), params: conditions.flatMap((c) => c.params) };
}

/** The devices a selector chooses, as a condition on the `devices` table. */
export function selectorCondition(selector: Selector): SqlCondition {
  return allOf(selector.terms.map(termCondition));
}

/** Where each key's values are kept, lower-cased as terms compare them: what a term being typed can complete to. */
const TERM_VALUES = {
  id: { table: "devices", value: "id" },
  tag: { table: "device_tags", value: "tag" },
  board: { table: "devices", value: "board" },
  soc: { table: "devices", value: "soc" },
  jetpack: { table: "devices", value: "jetpack_lower" },
  l4t: { table: "devices", value: "l4t_lower" },
  bridge: { table: "devices", value: "bridge_lower" },
  online: { table: "devices", value: "CASE WHEN status = 'offline' THEN 'false' ELSE 'true' END" },
} satisfies Record<SelectorKey, { table: string; value: string }>;

/** Above every character a value can hold: `prefix` and this bound the values that start with it. */
const AFTER_EVERY_CHARACTER = "\u{10FFFF}";

/** Up to `limit` distinct values of `key` in the fleet that start with `prefix`, in order, as one query. */
export function termValuesQuery(key: SelectorKey, prefix: string, limit: number): SqlCondition {
  const { table, value } = TERM_VALUES[key];
  return {
    sql: `SELECT DISTINCT ${value} AS value FROM ${table} WHERE value >= ? AND value < ? ORDER BY value LIMIT ?`,
    params: [prefix, `${prefix}${AFTER_EVERY_CHARACTER}`, limit],
  };
}
