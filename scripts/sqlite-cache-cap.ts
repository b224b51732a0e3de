import { parseArgs } from "node:util";
import { busyOrinSample } from "../bench/orin-sample.js";
import { round } from "../bench/stats.js";
import { type MemoryLook, probeWithLinks } from "./probed-worker.js";
import { SAMPLES_PER_BATCH } from "./soak-link.js";

/*
 * Does the Worker's memory stop growing once SQLite's page cache is full, however much telemetry
 * the device objects store? A few objects are fed telemetry as fast as they acknowledge it (hours
 * of samples in minutes, stamped in the past so that none is refused) and workerd's memory is
 * printed beside what each object has stored: in the soak the same filling takes many minutes.
 */
const { values: flags } = parseArgs({
  options: {
    links: { type: "string", default: "40" },
    minutes: { type: "string", default: "5" },
  },
});
const LINKS = Number(flags.links);
const MINUTES = Number(flags.minutes);
const EVERY_MS = 15_000;
const MIB = 1024 * 1024;
/** What one stored sample costs: its JSON text, as the samples table keeps it. */
const SAMPLE_BYTES = JSON.stringify(busyOrinSample(0, 0)).length;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

probeWithLinks(LINKS, "cache-cap", async (probe, links) => {
  let feeding = true;
  // Twenty hours back: inside raw retention (a day), never ahead of the Worker's clock.
  const from = Date.now() - 20 * 3_600_000;
  const fed = links.map(async (link) => {
    for (let t = from; feeding; t += SAMPLES_PER_BATCH * 1_000) {
      await link.tick(t);
      while (feeding && link.queued > 0) await sleep(5);
    }
  });
  try {
    const start = Date.now();
    const series: (MemoryLook & { second: number; storedMiBPerObject: number })[] = [];
    while (Date.now() - start < MINUTES * 60_000) {
      const stored = links.reduce((sum, link) => sum + link.counts.samplesAcknowledged, 0) * SAMPLE_BYTES;
      series.push({ second: Math.round((Date.now() - start) / 1_000), ...(await probe.look()), storedMiBPerObject: round(stored / LINKS / MIB) });
      process.stderr.write(`${JSON.stringify(series.at(-1))}\n`);
      await sleep(EVERY_MS);
    }
    process.stdout.write(
      `${JSON.stringify({ links: LINKS, minutes: MINUTES, sampleBytes: SAMPLE_BYTES, "every 15 s: workerd's memory (MiB) and the telemetry each object has stored (MiB)": series }, null, 2)}\n`,
    );
  } finally {
    feeding = false;
    await Promise.all(fed);
  }
});
