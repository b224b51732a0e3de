import { parseArgs } from "node:util";
import { round } from "../bench/stats.js";
import { type MemoryLook, probeWithLinks } from "./probed-worker.js";

/*
 * What a device link's abrupt cut and reconnection leaves in workerd's memory: every link is cut
 * (no DISCONNECT, no close handshake, as the soak's cuts) and waited for until it is back, round
 * after round, with no telemetry, and workerd's memory is printed after each round.
 */
const { values: flags } = parseArgs({
  options: {
    links: { type: "string", default: "100" },
    rounds: { type: "string", default: "10" },
  },
});
const LINKS = Number(flags.links);
const ROUNDS = Number(flags.rounds);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

probeWithLinks(LINKS, "reconnect", async (probe, links) => {
  const series: (MemoryLook & { reconnects: number })[] = [{ reconnects: 0, ...(await probe.look()) }];
  for (let round = 1; round <= ROUNDS; round++) {
    const before = links.map((link) => link.connectedAt);
    for (const link of links) link.cut();
    while (links.some((link, i) => !link.up || link.connectedAt === before[i])) await sleep(100);
    series.push({ reconnects: round * LINKS, ...(await probe.look()) });
    process.stderr.write(`${JSON.stringify(series.at(-1))}\n`);
  }
  const [first, last] = [series[0]!, series.at(-1)!];
  const perReconnectKiB = (key: keyof MemoryLook) => round(((last[key] - first[key]) * 1024) / (ROUNDS * LINKS), 1);
  process.stdout.write(
    `${JSON.stringify(
      {
        links: LINKS,
        rounds: ROUNDS,
        "after each round of cuts: workerd's memory (MiB)": series,
        "growth per reconnect (KiB)": { runtime: perReconnectKiB("runtimeMiB"), proxy: perReconnectKiB("proxyMiB"), jsHeap: perReconnectKiB("jsHeapMiB") },
      },
      null,
      2,
    )}\n`,
  );
});
