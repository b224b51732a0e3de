import { chmod, copyFile, mkdir, readdir, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SIM_BOARDS } from "./boards.js";
import { GENERATIONS } from "./generations.js";
import { simLayout } from "./layout.js";
import * as machine from "./programs/lib/jetson-sim/machine.mjs";
import { simTree } from "./tree.js";
import type { SimBoard, SimBoardId } from "./types.js";

const PROGRAMS = fileURLToPath(new URL("./programs/", import.meta.url));

export interface SimulatedJetson {
  /** The machine's `/`. */
  root: string;
  /** `<root>/usr/bin`, holding the stand-in programs (and node, when asked for). */
  binDir: string;
  board: SimBoard;
}

export interface SimulatedJetsonOptions {
  dir: string;
  board: SimBoardId;
  hostname: string;
  /**
   * Whether the operator installed Node 18+ (from NodeSource): usr/bin/node is then a link to the
   * Node running this. JetPack ships no usable Node, so by default there is none.
   */
  node?: boolean;
}

/**
 * Builds a simulated Jetson in `dir`: identity files, sysfs and /proc as the board has them,
 * and stand-in programs in usr/bin that read and change that tree. It starts in the board's
 * default power mode at a small idle load.
 */
export async function createSimulatedJetson(opts: SimulatedJetsonOptions): Promise<SimulatedJetson> {
  const root = path.resolve(opts.dir);
  const board = SIM_BOARDS[opts.board];
  const generation = GENERATIONS[board.generation];
  const tree = simTree({ board, generation, layout: simLayout(board, generation) }, opts.hostname);
  for (const [file, content] of tree.files) {
    const onHost = path.join(root, file);
    await mkdir(path.dirname(onHost), { recursive: true });
    await writeFile(onHost, content);
  }
  for (const [link, target] of tree.links) {
    const onHost = path.join(root, link);
    await mkdir(path.dirname(onHost), { recursive: true });
    await rm(onHost, { force: true });
    await symlink(path.relative(path.dirname(onHost), path.join(root, target)), onHost);
  }
  const binDir = path.join(root, "usr/bin");
  await installPrograms(root, binDir, board);
  if (opts.node) await symlink(process.execPath, path.join(binDir, "node"));
  machine.boot(root);
  return { root, binDir, board };
}

/** Sets the simulated load (0-100 %); clocks, temperatures, rail power and memory follow it. */
export function setLoad(root: string, percent: number): void {
  if (!(percent >= 0 && percent <= 100)) throw new RangeError(`load must be 0-100 %, got ${percent}`);
  machine.setLoad(root, percent);
}

/** Brings the moving values (clocks, temperatures, power, /proc counters) up to now. */
export function refreshSimulatedJetson(root: string): void {
  machine.refresh(root);
}

/** Brings /proc's counters and uptime up to now, as the kernel keeps them moving between refreshes. */
export function advanceSimulatedProc(root: string): void {
  machine.advanceProc(root);
}

/** What a reboot does: a power mode nvpmodel left pending takes effect, clock locks are gone. */
export function rebootSimulatedJetson(root: string): void {
  machine.reboot(root);
}

// Programs only some boards have: nvidia-smi comes with the open RM GPU driver (Thor).
const BOARD_PROGRAMS: Record<string, (board: SimBoard) => boolean> = {
  "nvidia-smi.mjs": (board) => board.gpu.openRm === true,
};

// Programs go to usr/bin without their extension; the module they share goes to usr/lib/jetson-sim.
async function installPrograms(root: string, binDir: string, board: SimBoard): Promise<void> {
  await mkdir(binDir, { recursive: true });
  for (const name of await readdir(path.join(PROGRAMS, "bin"))) {
    if (BOARD_PROGRAMS[name]?.(board) === false) continue;
    const installed = path.join(binDir, path.basename(name, ".mjs"));
    await copyFile(path.join(PROGRAMS, "bin", name), installed);
    await chmod(installed, 0o755);
  }
  const libSource = path.join(PROGRAMS, "lib/jetson-sim");
  const libDir = path.join(root, "usr/lib/jetson-sim");
  await mkdir(libDir, { recursive: true });
  for (const name of (await readdir(libSource)).filter((n) => n.endsWith(".mjs"))) {
    await copyFile(path.join(libSource, name), path.join(libDir, name));
  }
}
