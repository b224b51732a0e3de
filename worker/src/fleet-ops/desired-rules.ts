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
  ],
};

/** The desired state of one device: every rule that chooses it, merged. */
export interface EffectiveDesiredState {
  state: DesiredState;
  /** Selectors of the merged rules, oldest first. */
  rules: string[];
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
  constructor(private readonly sql: SqlStorage) {}

  set(selector: Selector, state: DesiredState, at: number, by: string): DesiredStateRule {
    this.sql.exec(
      `INSERT INTO desired_rules (selector, terms, state, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (selector) DO UPDATE SET terms = excluded.terms, state = excluded.state, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      selector.text,
      JSON.stringify(selector.terms),
      JSON.stringify(state),
      at,
      by,
    );
    return { selector: selector.text, state, updatedAt: at, updatedBy: by };
  }

  remove(selector: string): boolean {
    return this.sql.exec("DELETE FROM desired_rules WHERE selector = ?", selector).rowsWritten > 0;
  }

  list(): DesiredStateRule[] {
    return this.rows().map(({ rule }) => rule);
  }

  forDevice(attributes: DeviceAttributes): EffectiveDesiredState {
    const chosen = this.rows().filter(({ selector }) => selects(selector, attributes));
    return { state: mergeDesired(chosen.map(({ rule }) => rule.state)), rules: chosen.map(({ rule }) => rule.selector) };
  }

  private rows(): Array<{ selector: Selector; rule: DesiredStateRule }> {
    return this.sql
      .exec<{ selector: string; terms: string; state: string; updated_at: number; updated_by: string }>(
        "SELECT selector, terms, state, updated_at, updated_by FROM desired_rules ORDER BY updated_at, selector",
      )
      .toArray()
      .map((row) => ({
        selector: { text: row.selector, terms: JSON.parse(row.terms) as Selector["terms"] },
        rule: { selector: row.selector, state: JSON.parse(row.state) as DesiredState, updatedAt: row.updated_at, updatedBy: row.updated_by },
      }));
  }
}
