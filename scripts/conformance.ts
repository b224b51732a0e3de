import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { TestStack } from "../test/support/stack.js";
import { AuthenticatingProxy } from "./conformance-proxy.js";
import { REVISIONS, RevisionSchema, runSuite, suiteInstalled } from "./conformance-suite.js";
import { judge, readNotApplicable, succeeded, type Verdict } from "./conformance-verdict.js";
import { tempDir } from "./local-stack.js";
import { freePort } from "./ports.js";

/**
 * The official MCP conformance suite against the Worker under `wrangler dev`, with a simulated
 * Jetson connected, once per MCP revision. Fails unless every scenario passed or is listed,
 * with its reason, in test/conformance/not-applicable.json (and every listed one still fails).
 *
 *   node --import tsx scripts/conformance.ts [--revision 2026-07-28] [--report FILE]
 *
 * `--report` writes the counts as vitest's JSON reporter does, for the test command's summary;
 * VERBOSE=1 shows the suite's own output.
 */
const { values: flags } = parseArgs({ options: { revision: { type: "string", multiple: true }, report: { type: "string" } } });
const revisions = flags.revision ? flags.revision.map((revision) => RevisionSchema.parse(revision)) : [...REVISIONS];
const echo = process.env.VERBOSE === "1" ? (line: string) => process.stderr.write(`${line}\n`) : undefined;

async function main(): Promise<boolean> {
  if (!suiteInstalled()) throw new Error("The conformance suite is not installed: run `npm ci --prefix test/conformance` (or `npm run conformance`).");
  const list = await readNotApplicable();
  const proxyPort = await freePort();
  // The proxy is the Worker's public face here: tokens are bound to PUBLIC_URL, and Host/Origin are judged against it.
  const stack = await TestStack.start({ PUBLIC_URL: `http://127.0.0.1:${proxyPort}` });
  let proxy: AuthenticatingProxy | undefined;
  try {
    await stack.addBridge("orin-1", "agx-orin-jp6");
    proxy = await AuthenticatingProxy.start({ port: proxyPort, target: new URL(stack.worker.url), token: stack.worker.fleetToken });
    const verdicts: Verdict[] = [];
    for (const revision of revisions) {
      const outputDir = await tempDir(`jetson-conformance-${revision}-`);
      process.stdout.write(`── MCP conformance ${revision}\n`);
      const run = await runSuite(`${proxy.url}/mcp`, revision, outputDir, echo);
      const verdict = judge(revision, run.results, list);
      print(verdict);
      // Kept for reading only when something failed: every test run would otherwise leave it in the temporary folder.
      if (succeeded(verdict)) await rm(outputDir, { recursive: true, force: true });
      else process.stdout.write(`The suite's results: ${outputDir}\n`);
      // A crashed scenario left no checks: only the suite's printout says why.
      if (!echo && run.results.some((result) => result.checks.length === 0)) process.stdout.write(`The suite's output:\n${run.output.slice(-8_000)}\n`);
      verdicts.push(verdict);
    }
    if (flags.report) await report(flags.report, countsOf(verdicts));
    return verdicts.every(succeeded);
  } finally {
    await proxy?.stop();
    await stack.stop();
  }
}

const passed = (verdict: Verdict) => verdict.passed.length + verdict.passedWithout.length;

function print(verdict: Verdict): void {
  const lines = [
    ...verdict.passedWithout.map(({ scenario, checks }) => `  ~ ${scenario} passed, but for checks not applicable here: ${checks.join(", ")}`),
    ...verdict.failed.flatMap(({ scenario, problems }) => [`  ✗ ${scenario}`, ...problems.map((problem) => `      ${problem}`)]),
    ...verdict.stale.map((entry) => `  ✗ not-applicable list: ${entry}`),
    `conformance ${verdict.revision}: ${passed(verdict)} passed, ${verdict.notApplicable.length} not applicable, ${verdict.failed.length} failed` +
      (verdict.stale.length > 0 ? `, ${verdict.stale.length} stale list entries` : ""),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

interface Counts {
  passed: number;
  failed: number;
  notApplicable: number;
}

const countsOf = (verdicts: Verdict[]): Counts => {
  const sum = (count: (verdict: Verdict) => number) => verdicts.reduce((total, verdict) => total + count(verdict), 0);
  return { passed: sum(passed), failed: sum((v) => v.failed.length + v.stale.length), notApplicable: sum((v) => v.notApplicable.length) };
};

/** The counts in the shape scripts/summarize-tests.mjs adds up: scenarios as tests, not-applicable ones as skipped. */
async function report(file: string, counts: Counts): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const { passed: numPassedTests, failed: numFailedTests, notApplicable: numPendingTests } = counts;
  await writeFile(file, JSON.stringify({ numPassedTests, numFailedTests, numPendingTests, numTodoTests: 0, success: numFailedTests === 0 }));
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  async (error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    // A run that could not finish counts as one failure in the test command's summary.
    if (flags.report) await report(flags.report, { passed: 0, failed: 1, notApplicable: 0 });
    process.exit(1);
  },
);
