import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readTegrastatsLine } from "../device-bridge/src/parsers/tegrastats.js";
import { NodeHost } from "../device-bridge/src/host/node-host.js";
import { Sampler } from "../device-bridge/src/telemetry/sampler.js";
import { tempJetson } from "../device-bridge/sim/testing.js";
import { REPO } from "../scripts/local-stack.js";
import { latencies, round, timeSequential } from "./stats.js";

const FIXTURES = path.join(REPO, "../shared/fixtures/jetson-real/tegrastats");

/**
 * The bridge's own cost of telemetry: tegrastats lines parsed per second (every real board's line
 * from the shared fixtures, round-robin), and one sample from sysfs on a simulated AGX Orin with its
 * engines and rails, as the sampler takes it once per interval.
 */
export async function benchTelemetryParse(parses: number, samples: number) {
  const lines = await Promise.all((await readdir(FIXTURES)).sort().map(async (file) => (await readFile(path.join(FIXTURES, file), "utf8")).trim()));
  let fields = 0;
  const start = performance.now();
  for (let i = 0; i < parses; i++) fields += Object.keys(readTegrastatsLine(lines[i % lines.length] as string).sample).length;
  const parseMs = performance.now() - start;

  const sim = await tempJetson("agx-orin-jp6");
  const sampler = new Sampler(new NodeHost({ root: sim.root, programDirs: [sim.binDir], defaultTimeoutMs: 5_000, defaultMaxOutputBytes: 1 << 20 }), 1_000);
  try {
    const first = await sampler.sample();
    const engines = Object.keys(first.engines ?? {}).length;
    if (engines === 0) throw new Error("the simulated AGX Orin's sample has no engines");
    const times = await timeSequential(samples, 5, () => sampler.sample());
    return {
      "tegrastats lines parsed": { lines: parses, distinctLines: lines.length, linesPerSecond: Math.round(parses / (parseMs / 1000)), meanFieldsPerLine: round(fields / parses) },
      "sysfs sample on a simulated AGX Orin": { enginesPerSample: engines, ...latencies(times) },
    };
  } finally {
    sampler.stop();
    await sim.remove();
  }
}

// `node --import tsx bench/telemetry-parse.ts` runs this part alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchTelemetryParse(Number(process.env.BENCH_PARSES ?? 200_000), Number(process.env.BENCH_SAMPLES ?? 500))
    .then((result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`))
    .catch((error: Error) => {
      process.stderr.write(`${error.stack ?? error.message}\n`);
      process.exit(1);
    });
}
