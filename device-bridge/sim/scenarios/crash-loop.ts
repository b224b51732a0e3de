import { type SimContainer, loadContainers, saveContainers } from "../engine-state.js";
import type { Scenario } from "./scenario.js";

/** A camera ingest container whose device is gone: it starts, fails, and its restart policy brings it back. */
export const CRASH_LOOP = {
  id: "5f0c1d2e3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f",
  name: "camera-ingest",
  image: "nvcr.io/nvidia/deepstream:7.1-samples-multiarch",
  imageBytes: 7_312_000_000,
  /** Seconds it runs before it fails... */
  runS: 4,
  /** ...and the engine's back-off before it starts it again. */
  backoffS: 2,
  /** The log lines of one run. */
  run: [
    { stream: "stdout", line: "camera-ingest 2.3.1 starting" },
    { stream: "stdout", line: "opening /dev/video0 (1920x1080 @ 30 fps)" },
    { stream: "stderr", line: "ERROR: cannot open /dev/video0: No such device" },
    { stream: "stderr", line: "fatal: no camera, exiting with status 1" },
  ] as const,
  /** Runs whose logs the engine keeps. */
  keptRuns: 20,
};

/** Where the container is `elapsedS` after the scenario started, with times counted back from now. */
export function crashLoopState(elapsedS: number, now = Date.now()): SimContainer {
  const { runS, backoffS, run, keptRuns } = CRASH_LOOP;
  const cycle = runS + backoffS;
  const restarts = Math.floor(elapsedS / cycle);
  const intoCycle = elapsedS - restarts * cycle;
  const at = (secondsAgo: number) => new Date(now - secondsAgo * 1_000).toISOString();
  const logs = [];
  for (let n = Math.max(0, restarts - keptRuns + 1); n <= restarts; n++) {
    const startedAgo = elapsedS - n * cycle;
    const lines = n < restarts || intoCycle >= runS ? run : run.slice(0, 2);
    logs.push(...lines.map(({ stream, line }, i) => ({ at: at(Math.max(0, startedAgo - (i * runS) / run.length)), stream, line })));
  }
  const running = intoCycle < runS;
  return {
    id: CRASH_LOOP.id,
    name: CRASH_LOOP.name,
    image: CRASH_LOOP.image,
    imageBytes: CRASH_LOOP.imageBytes,
    createdAt: at(elapsedS + 60),
    status: running ? "running" : "restarting",
    exitCode: running ? 0 : 1,
    startedAt: at(intoCycle),
    ...(restarts > 0 || !running ? { finishedAt: at(running ? intoCycle + backoffS : intoCycle - runS) } : {}),
    restartCount: restarts,
    restartPolicy: "always",
    logs,
  };
}

export const crashLoop: Scenario = {
  describe: `${CRASH_LOOP.name} fails ${CRASH_LOOP.runS} s after each start and restarts (restart policy always)`,
  step(root, elapsedS) {
    const others = loadContainers(root).filter((c) => c.id !== CRASH_LOOP.id);
    saveContainers(root, [...others, crashLoopState(elapsedS)]);
  },
};
