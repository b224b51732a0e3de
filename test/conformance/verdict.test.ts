import { describe, expect, it } from "vitest";
import type { Check, ScenarioResult } from "../../scripts/conformance-suite.js";
import { judge, type NotApplicable, readNotApplicable, succeeded } from "../../scripts/conformance-verdict.js";

const check = (id: string, status: Check["status"]): Check => ({ id, name: id, status, errorMessage: `${id} said ${status}` });
const passing = (scenario: string): ScenarioResult => ({ scenario, checks: [check(scenario, "SUCCESS")] });
const failingResult = (scenario: string): ScenarioResult => ({ scenario, checks: [check(scenario, "FAILURE")] });
const entry = (scenario: string, extra: Partial<NotApplicable[number]> = {}): NotApplicable[number] => ({
  scenario,
  revisions: ["2026-07-28"],
  reason: "only the suite's fixture has it",
  outcome: "fail",
  ...extra,
});

describe("the conformance verdict", () => {
  it("passes scenarios without failed checks (warnings allowed) and lists unlisted failures with their checks", () => {
    const warned = { scenario: "warned", checks: [check("hint", "WARNING"), check("wire", "SUCCESS")] };
    const verdict = judge("2026-07-28", [passing("ok"), warned, failingResult("broken")], []);
    expect(verdict.passed).toEqual(["ok", "warned"]);
    expect(verdict.failed).toEqual([{ scenario: "broken", problems: ["broken: broken said FAILURE"] }]);
    expect(succeeded(verdict)).toBe(false);
  });

  it("fails a scenario that crashed before recording any check", () => {
    const verdict = judge("2026-07-28", [{ scenario: "crashed", checks: [] }], []);
    expect(verdict.failed.map((failure) => failure.scenario)).toEqual(["crashed"]);
  });

  it("counts a listed scenario as not applicable only at the revisions it is listed for", () => {
    const list = [entry("fixture-only")];
    expect(judge("2026-07-28", [failingResult("fixture-only")], list).notApplicable).toEqual(["fixture-only"]);
    expect(judge("2025-11-25", [failingResult("fixture-only")], list).failed.map((f) => f.scenario)).toEqual(["fixture-only"]);
  });

  it("reports list entries that rotted: an outcome that changed, or a scenario no longer run", () => {
    const list = [entry("now-passes"), entry("vacuous", { outcome: "pass" }), entry("gone")];
    const verdict = judge("2026-07-28", [passing("now-passes"), failingResult("vacuous")], list);
    expect(verdict.stale).toEqual([
      'now-passes now passes (listed as "fail"): check it and update the list',
      'vacuous now fails (listed as "pass"): check it and update the list',
      "gone is no longer run at 2026-07-28: take it off the list",
    ]);
    expect(succeeded(verdict)).toBe(false);
  });

  it("excuses only the listed checks of a scenario, and reports a listed check that no longer fails", () => {
    const list = [entry("stateless", { checks: ["needs-fixture", "fixed-since"] })];
    const result = { scenario: "stateless", checks: [check("needs-fixture", "FAILURE"), check("fixed-since", "SUCCESS"), check("real", "SUCCESS")] };
    const verdict = judge("2026-07-28", [result], list);
    expect(verdict.passedWithout).toEqual([{ scenario: "stateless", checks: ["needs-fixture"] }]);
    expect(verdict.stale).toEqual(["stateless: check fixed-since no longer fails: take it off the list"]);

    const regressed = { scenario: "stateless", checks: [check("needs-fixture", "FAILURE"), check("fixed-since", "FAILURE"), check("real", "FAILURE")] };
    expect(judge("2026-07-28", [regressed], list).failed).toEqual([{ scenario: "stateless", problems: ["real: real said FAILURE"] }]);
  });

  it("reads the project's list, every entry with a reason", async () => {
    const list = await readNotApplicable();
    expect(list.length).toBeGreaterThan(0);
    for (const { reason } of list) expect(reason.length).toBeGreaterThan(20);
  });
});
