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
  }),
);
export type NotApplicable = z.infer<typeof NotApplicableSchema>;

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
  notApplicable: string[];
  failed: Failure[];
  /** Entries of the list that no longer hold: the scenario passes, or the suite no longer runs it. */
  stale: string[];
}

const failing = (check: Check) => check.status === "FAILURE";
const describe = (check: Check) => `${check.id}: ${check.errorMessage ?? check.name}`;

/** A scenario passes when it produced checks and none failed; anything else must be listed, with its reason. */
export function judge(revision: Revision, results: ScenarioResult[], list: NotApplicable): Verdict {
  const listed = new Set(list.filter((entry) => entry.revisions.includes(revision)).map((entry) => entry.scenario));
  const verdict: Verdict = { revision, passed: [], notApplicable: [], failed: [], stale: [] };
  for (const { scenario, checks } of results) {
    const passed = checks.length > 0 && !checks.some(failing);
    if (listed.has(scenario)) {
      if (passed) verdict.stale.push(`${scenario} passes: take it off the list`);
      else verdict.notApplicable.push(scenario);
    } else if (passed) {
      verdict.passed.push(scenario);
    } else {
      verdict.failed.push({ scenario, problems: checks.length > 0 ? checks.filter(failing).map(describe) : ["no checks recorded: the scenario crashed (see the suite's output above)"] });
    }
  }
  const ran = new Set(results.map((result) => result.scenario));
  for (const scenario of listed) if (!ran.has(scenario)) verdict.stale.push(`${scenario} is no longer run at ${revision}: take it off the list`);
  return verdict;
}

export const succeeded = (verdict: Verdict) => verdict.failed.length === 0 && verdict.stale.length === 0;
