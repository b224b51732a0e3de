// Helpers for tests that drive a simulated Jetson's stand-in programs (no shell involved).
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createSimulatedJetson, type SimulatedJetson } from "./create.js";
import { SIM_STATE_DIR } from "./layout.js";
import type { SimBoardId } from "./types.js";

export interface ProgramResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A simulated board in a fresh temporary folder, and a way to remove it. */
export async function tempJetson(board: SimBoardId, options: { node?: boolean } = {}): Promise<SimulatedJetson & { remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `sim-${board}-`));
  const sim = await createSimulatedJetson({ dir, board, hostname: `${board}-test`, ...options });
  return { ...sim, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Runs a stand-in to completion; `stdin` is written and closed, so a prompt sees it or end of input.
 * `as` runs it as another user (the test must run as root for that).
 */
export function runProgram(
  sim: SimulatedJetson,
  name: string,
  args: string[],
  stdin = "",
  as?: { uid: number; gid: number },
): Promise<ProgramResult> {
  return new Promise((resolve) => {
    const child = execFile(path.join(sim.binDir, name), args, { timeout: 15_000, ...as }, (_error, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
    child.stdin?.end(stdin);
  });
}

/** The first `count` lines tegrastats prints, after which it is stopped; `as` runs it as another user (from root). */
export function tegrastatsLines(sim: SimulatedJetson, count: number, intervalMs = 100, as?: { uid: number; gid: number }): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(path.join(sim.binDir, "tegrastats"), ["--interval", String(intervalMs)], { ...as }, () => undefined);
    let text = "";
    child.stdout?.on("data", (chunk) => {
      text += String(chunk);
      const lines = text.split("\n").slice(0, -1);
      if (lines.length >= count) {
        child.kill();
        resolve(lines.slice(0, count));
      }
    });
    child.on("exit", (code) => reject(new Error(`tegrastats exited (${code}) after: ${text}`)));
  });
}

/** A file of the simulated machine by its machine path. */
export function readSim(sim: SimulatedJetson, machinePath: string): Promise<string> {
  return readFile(path.join(sim.root, machinePath), "utf8");
}

export async function readSimNumber(sim: SimulatedJetson, machinePath: string): Promise<number> {
  return Number.parseInt(await readSim(sim, machinePath), 10);
}

/**
 * Kills (SIGKILL) every process the simulated systemctl started for installed units and still records
 * (programs/lib/jetson-sim/unit-runner.mjs keeps one state file a unit): cleanup for tests that start them.
 */
export async function killUnitProcesses(sim: SimulatedJetson): Promise<void> {
  const dir = path.join(sim.root, SIM_STATE_DIR, "units");
  const files = await readdir(dir).catch(() => []);
  for (const file of files.filter((f) => f.endsWith(".json"))) {
    const { supervisor } = JSON.parse(await readFile(path.join(dir, file), "utf8")) as { supervisor: number };
    try {
      process.kill(-supervisor, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}
