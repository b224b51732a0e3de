import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { percentile, round } from "../bench/stats.js";
import { groupUsage } from "./process-group.js";
import { WorkerInspector } from "./worker-inspector.js";
import { WORKER_RUNTIME } from "./worker-runtime.js";
import { probeWithLinks } from "./probed-worker.js";

/*
 * How long a fleet's links take to come back after the Worker restarts (the soak's restart, alone):
 * `links` device links connected, the Worker restarted with its state kept, and each link's
 * reconnection timed from the moment the Worker was ready again.
 */
const { values: flags } = parseArgs({ options: { links: { type: "string", default: "1000" } } });
const LINKS = Number(flags.links);
/** A file to write a CPU profile of the Worker's isolate to, over the reconnections (PROFILE=storm.cpuprofile). */
const PROFILE = process.env.PROFILE;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

probeWithLinks(LINKS, "storm", async (probe, links) => {
  const stopped = Date.now();
  await probe.worker.restart();
  const ready = Date.now();
  const group = probe.worker.pid ?? 0;
  const cpu = async () => ({
    runtime: (await groupUsage(group, "workerd", WORKER_RUNTIME)).cpuSeconds,
    all: (await groupUsage(group, "workerd")).cpuSeconds,
    links: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
  });
  const before = await cpu();
  const allBack = async () => {
    while (links.some((link) => !link.up || link.connectedAt < ready)) await sleep(50);
  };
  if (PROFILE) {
    const inspector = await WorkerInspector.attach(probe.worker.options.inspectorPort ?? 0);
    await writeFile(PROFILE, JSON.stringify((await inspector.profile(allBack, 200)).profile));
    inspector.close();
  } else {
    await allBack();
  }
  const after = await cpu();
  const back = Date.now();
  const ms = links.map((link) => link.connectedAt - ready);
  process.stdout.write(
    `${JSON.stringify({ links: LINKS, workerDownMs: ready - stopped, "reconnect after the Worker was ready (ms)": { p50: percentile(ms, 50), p99: percentile(ms, 99), max: percentile(ms, 100) }, "CPU seconds until all were back": { seconds: round((back - ready) / 1000, 1), runtime: round(after.runtime - before.runtime, 1), proxy: round(after.all - after.runtime - before.all + before.runtime, 1), links: round(after.links - before.links, 1) } }, null, 2)}\n`,
  );
});
