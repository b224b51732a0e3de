import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { Check, Revision, ScenarioResult } from "./conformance-suite.js";
import { RevisionSchema } from "./conformance-suite.js";
import { REPO } from "./local-stack.js";

export const NOT_APPLICABLE_FILE = path.join(REPO, "test/conformance/not-applicable.json");

const NotApplicableSchema = z.array(
  z.strictObject({
    scenario: z.string().min(1),
    revisions: z.array(RevisionSchema).min(1),
    reason: z.string().min(1),
    /** Only these checks of the scenario are not applicable: every other one must pass. */
    checks: z.array(z.string().min(1)).min(1).optional(),
    /**
     * What the suite reports, which the list pins so that any change shows: `fail` (the default),
     * or `pass` for a scenario whose pass tests nothing here (its reason says why).
     */
    outcome: z.enum(["fail", "pass"]).default("fail"),
  }),
);
export type NotApplicable = z.infer<typeof NotApplicableSchema>;
type Entry = NotApplicable[number];

export async function readNotApplicable(): Promise<NotApplicable> {
  const entries = NotApplicableSchema.parse(JSON.parse(await readFile(NOT_APPLICABLE_FILE, "utf8")));
  const keys = entries.flatMap((entry) => entry.revisions.map((revision) => `${entry.scenario} (${revision})`));
  const twice = keys.filter((key, index) => keys.indexOf(key) !== index);
  if (twice.length > 0) throw new Error(`${NOT_APPLICABLE_FILE} lists ${twice.join(", ")} more than once`);
  return entries;
}

export interface Failure {
  scenario: string;
  /** The failing checks, or why there are none (the scenario crashed). */
  problems: string[];
}

export interface Verdict {
  revision: Revision;
  passed: string[];
  /** Scenarios that passed except for checks listed as not applicable, with those checks. */
  passedWithout: { scenario: string; checks: string[] }[];
  notApplicable: string[];
  failed: Failure[];
  /** Entries of the list that no longer hold: the scenario's outcome changed, or the suite no longer runs it. */
  stale: string[];
}

const failing = (check: Check) => check.status === "FAILURE";
const describe = (check: Check) => `${check.id}: ${check.errorMessage ?? check.name}`;
const CRASHED = "no checks recorded: the scenario crashed (see the suite's output above)";

/** A scenario passes when it produced checks and none failed; anything else must be listed, with its reason. */
export function judge(revision: Revision, results: ScenarioResult[], list: NotApplicable): Verdict {
  const listed = new Map(list.filter((entry) => entry.revisions.includes(revision)).map((entry) => [entry.scenario, entry]));
  const verdict: Verdict = { revision, passed: [], passedWithout: [], notApplicable: [], failed: [], stale: [] };
  for (const { scenario, checks } of results) {
    const entry = listed.get(scenario);
    if (entry?.checks) judgeChecks(verdict, scenario, checks, entry.checks);
    else if (entry) judgeListed(verdict, scenario, checks, entry);
    else if (checks.length > 0 && !checks.some(failing)) verdict.passed.push(scenario);
    else verdict.failed.push({ scenario, problems: checks.length > 0 ? checks.filter(failing).map(describe) : [CRASHED] });
  }
  const ran = new Set(results.map((result) => result.scenario));
  for (const scenario of listed.keys()) if (!ran.has(scenario)) verdict.stale.push(`${scenario} is no longer run at ${revision}: take it off the list`);
  return verdict;
}

function judgeListed(verdict: Verdict, scenario: string, checks: Check[], entry: Entry): void {
  const outcome = checks.length > 0 && !checks.some(failing) ? "pass" : "fail";
  if (outcome === entry.outcome) verdict.notApplicable.push(scenario);
  else verdict.stale.push(`${scenario} now ${outcome === "pass" ? "passes" : "fails"} (listed as "${entry.outcome}"): check it and update the list`);
}

/** A scenario with some checks not applicable: those must still fail, every other one must pass. */
function judgeChecks(verdict: Verdict, scenario: string, checks: Check[], listed: string[]): void {
  const problems = checks.length > 0 ? checks.filter((check) => failing(check) && !listed.includes(check.id)).map(describe) : [CRASHED];
  const held = listed.filter((id) => checks.some((check) => check.id === id && failing(check)));
  if (problems.length > 0) verdict.failed.push({ scenario, problems });
  else verdict.passedWithout.push({ scenario, checks: held });
  for (const id of listed.filter((id) => !held.includes(id))) verdict.stale.push(`${scenario}: check ${id} no longer fails: take it off the list`);
}

export const succeeded = (verdict: Verdict) => verdict.failed.length === 0 && verdict.stale.length === 0;
