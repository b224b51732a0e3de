import type { DesiredState, DesiredStateRule, DeviceAttributes } from "@jetson/protocol";
import type { Schema } from "../sqlite-migrations.js";
import { type Selector, selects } from "./selector.js";

export const DESIRED_RULES_SCHEMA: Schema = {
  name: "desired_rules",
  migrations: [
    `
  CREATE TABLE IF NOT EXISTS desired_rules (
    selector TEXT PRIMARY KEY,
    terms TEXT NOT NULL,
    state TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
  )
`,
    // A counter that moves with every change of the rules: a device object compares it with the one its rules came with.
    "CREATE TABLE IF NOT EXISTS desired_rules_revision (n INTEGER NOT NULL); INSERT INTO desired_rules_revision (n) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM desired_rules_revision)",
    (sql) => {
      // A device's own rule, by the device it names: looked up by id, where other rules are matched.
      sql.exec("ALTER TABLE desired_rules ADD COLUMN device TEXT; CREATE INDEX desired_rules_device ON desired_rules (device)");
      for (const row of sql.exec<{ selector: string; terms: string }>("SELECT selector, terms FROM desired_rules").toArray()) {
        const device = namedDevice({ text: row.selector, terms: JSON.parse(row.terms) as Selector["terms"] });
        if (device !== null) sql.exec("UPDATE desired_rules SET device = ? WHERE selector = ?", device, row.selector);
      }
    },
  ],
};

/**
 * At most this many rules in a fleet, a device's own included: all of them are listed in one answer (a rule is at
 * most about 7 KB, 16 containers with their images), and every device is matched against those not its own.
 */
export const MAX_DESIRED_RULES = 2_000;

/** The one device a selector names, when it names only that (`id:<device>`, no wildcard); null otherwise. */
function namedDevice(selector: Selector): string | null {
  const [term, ...others] = selector.terms;
  const value = term?.values.length === 1 ? term.values[0] : undefined;
  return others.length === 0 && term?.key === "id" && !term.negate && value !== undefined && !value.includes("*") ? value : null;
}

interface Rule {
  selector: Selector;
  rule: DesiredStateRule;
}

/** The order rules merge in: oldest first, then by selector (as SQLite orders the ASCII selectors). */
const byAge = (a: Rule, b: Rule) => a.rule.updatedAt - b.rule.updatedAt || (a.rule.selector < b.rule.selector ? -1 : a.rule.selector > b.rule.selector ? 1 : 0);

/** The desired state of one device: every rule that chooses it, merged. */
export interface EffectiveDesiredState {
  state: DesiredState;
  /** Selectors of the merged rules, oldest first. */
  rules: string[];
  /** What the answer was worked out from (see `desiredBasis`): the same basis gives the same answer. */
  basis: string;
}

/**
 * What decides which rules choose a device: its attributes (what selectors read) and the revision of
 * the fleet's rules. A device object keeps the basis of its rules and asks again only when the basis
 * the registry reports with each summary differs, not on every reconnection.
 */
export function desiredBasis(attributes: DeviceAttributes, revision: number): string {
  return JSON.stringify([revision, attributes]);
}

/**
 * Later rules win field by field; the fan merges per setting and containers by
 * name, so `tag:cameras` can add a container to what `*` already asks.
 */
export function mergeDesired(states: DesiredState[]): DesiredState {
  return states.reduce<DesiredState>((merged, next) => {
    const fan = merged.fan || next.fan ? { ...merged.fan, ...next.fan } : undefined;
    const containers =
      merged.containers || next.containers
        ? [...new Map([...(merged.containers ?? []), ...(next.containers ?? [])].map((c) => [c.name, c])).values()]
        : undefined;
    return { ...merged, ...next, ...(fan && { fan }), ...(containers && { containers }) };
  }, {});
}

/** The fleet's desired-state declarations, kept by its registry (a device's own is the rule `id:<device>`). */
export class DesiredRules {
  /** The rules' revision, read once, then kept as changed. */
  #revision: number | undefined;
  /** The rules matched against each device (all but devices' own), parsed once until they change. */
  #matched: Rule[] | undefined;

  constructor(private readonly sql: SqlStorage) {}

  get revision(): number {
    this.#revision ??= this.sql.exec<{ n: number }>("SELECT n FROM desired_rules_revision").one().n;
    return this.#revision;
  }

  /** Writes the rule; undefined, writing nothing, when it is a new one and the fleet holds MAX_DESIRED_RULES already. */
  set(selector: Selector, state: DesiredState, at: number, by: string): DesiredStateRule | undefined {
    const exists = this.sql.exec("SELECT 1 FROM desired_rules WHERE selector = ?", selector.text).toArray().length > 0;
    if (!exists && this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM desired_rules").one().n >= MAX_DESIRED_RULES) return undefined;
    this.sql.exec(
      `INSERT INTO desired_rules (selector, terms, state, updated_at, updated_by, device) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (selector) DO UPDATE SET terms = excluded.terms, state = excluded.state, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      selector.text,
      JSON.stringify(selector.terms),
      JSON.stringify(state),
      at,
      by,
      namedDevice(selector),
    );
    this.changed();
    return { selector: selector.text, state, updatedAt: at, updatedBy: by };
  }

  remove(selector: string): boolean {
    const removed = this.sql.exec("DELETE FROM desired_rules WHERE selector = ?", selector).rowsWritten > 0;
    if (removed) this.changed();
    return removed;
  }

  list(): DesiredStateRule[] {
    return this.rows("").map(({ rule }) => rule);
  }

  /** The device's own rules by its id (indexed), the others matched: a fleet's many devices' own rules cost a device nothing. */
  forDevice(attributes: DeviceAttributes): EffectiveDesiredState {
    this.#matched ??= this.rows("WHERE device IS NULL");
    const matched = this.#matched.filter(({ selector }) => selects(selector, attributes));
    const chosen = [...this.rows("WHERE device = ?", attributes.id), ...matched].sort(byAge);
    return { state: mergeDesired(chosen.map(({ rule }) => rule.state)), rules: chosen.map(({ rule }) => rule.selector), basis: desiredBasis(attributes, this.revision) };
  }

  private changed(): void {
    // Forgotten first: a write that throws leaves them to be read again.
    this.#revision = undefined;
    this.#matched = undefined;
    this.sql.exec("UPDATE desired_rules_revision SET n = n + 1");
  }

  private rows(where: string, ...params: string[]): Rule[] {
    return this.sql
      .exec<{ selector: string; terms: string; state: string; updated_at: number; updated_by: string }>(
        `SELECT selector, terms, state, updated_at, updated_by FROM desired_rules ${where} ORDER BY updated_at, selector`,
        ...params,
      )
      .toArray()
      .map((row) => ({
        selector: { text: row.selector, terms: JSON.parse(row.terms) as Selector["terms"] },
        rule: { selector: row.selector, state: JSON.parse(row.state) as DesiredState, updatedAt: row.updated_at, updatedBy: row.updated_by },
      }));
  }
}
