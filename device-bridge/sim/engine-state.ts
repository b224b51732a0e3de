import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SIM_STATE_DIR } from "./layout.js";

/** One container as the simulated board's engine keeps it. */
export interface SimContainer {
  id: string;
  name: string;
  image: string;
  /** The size of its image, as the engine lists the image. */
  imageBytes: number;
  createdAt: string;
  status: "running" | "restarting" | "exited";
  exitCode: number;
  startedAt: string;
  finishedAt?: string;
  restartCount: number;
  restartPolicy: string;
  /** What it printed, oldest first, each line with the time it was printed. */
  logs: { at: string; stream: "stdout" | "stderr"; line: string }[];
}

const FILE = `${SIM_STATE_DIR}/containers.json`;

/** The engine's containers on this board; none until something runs one. */
export function loadContainers(root: string): SimContainer[] {
  const file = path.join(root, FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as SimContainer[]) : [];
}

/** Replaced in one step, so the engine never answers from a half-written file. */
export function saveContainers(root: string, containers: SimContainer[]): void {
  const file = path.join(root, FILE);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.new`, JSON.stringify(containers));
  renameSync(`${file}.new`, file);
}
