import { parseArgs } from "node:util";
import type { FleetRun } from "@jetson/protocol";
import { round } from "../bench/stats.js";
import { probedRequest } from "./probed-request.js";
import { type ProbedWorker, probeWithLinks } from "./probed-worker.js";

/*
 * Is a fleet run's status request ever held in the local Worker far longer than its neighbours?
 * Some of the soak's status polls took 45 s inside the Worker (wrangler's log), each answered just
 * after another request arrived, and each began while the soak read the JS heap over the inspector
 * (a full collection pauses the isolate). Here device links publish every second and answer fleet
 * runs of system.ping, one run after another, while the run's status is asked for again and again:
 * first with the inspector collecting back to back, then without it. A request unanswered after
 * HELD_AFTER_MS counts as held; another is then sent beside it, and the script notes whether the
 * held one answered just after that one arrived. What it found is in the README (Soak).
 */
const { values: flags } = parseArgs({
  options: {
    links: { type: "string", default: "200" },
    seconds: { type: "string", default: "90" },
  },
});
const LINKS = Number(flags.links);
const PHASE_MS = Number(flags.seconds) * 1_000;
const HELD_AFTER_MS = 3_000;
/** A held request that answers within this long of the next one's arrival was woken by it. */
const WOKEN_WITHIN_MS = 1_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Phase {
  requests: number;
  held: number;
  /** Held requests that answered within WOKEN_WITHIN_MS of the next request being sent. */
  wokenByTheNext: number;
  /** How long each held request had waited when the next one was sent, and how long after that it answered (s). */
  heldFor: { waited: number; answeredAfterTheNext: number }[];
  slowestOtherMs: number;
}

function startRun(worker: ProbedWorker): Promise<FleetRun> {
  return worker.worker.api<FleetRun>("/api/runs", { method: "POST", body: JSON.stringify({ selector: "id:*", action: "system.ping", concurrency: 100 }) });
}

async function phase(worker: ProbedWorker, inspecting: boolean): Promise<Phase> {
  const result: Phase = { requests: 0, held: 0, wokenByTheNext: 0, heldFor: [], slowestOtherMs: 0 };
  const end = Date.now() + PHASE_MS;
  let collecting = inspecting;
  const collections = (async () => {
    while (collecting) await worker.look();
  })();
  // What the soak's slow polls asked for: the status of a fleet run while its devices answer.
  let run = await startRun(worker);
  const get = () => worker.worker.api<FleetRun>(`/api/runs/${run.id}`);
  while (Date.now() < end) {
    if (run.state !== "running") run = await startRun(worker);
    const { answer, tookMs, held } = await probedRequest(get, HELD_AFTER_MS);
    run = await answer.catch(() => run);
    result.requests += 1;
    if (!held) {
      result.slowestOtherMs = Math.max(result.slowestOtherMs, tookMs);
    } else {
      result.held += 1;
      if (held.firstMs <= WOKEN_WITHIN_MS) result.wokenByTheNext += 1;
      result.heldFor.push({ waited: round(held.waitedMs / 1_000), answeredAfterTheNext: round(held.firstMs / 1_000) });
    }
    await sleep(Math.random() * 200);
  }
  collecting = false;
  await collections;
  return result;
}

probeWithLinks(LINKS, "held", async (worker, links) => {
  let publishing = true;
  const published = links.map(async (link) => {
    while (publishing) {
      await link.tick(Date.now());
      await sleep(1_000);
    }
  });
  try {
    const withInspector = await phase(worker, true);
    process.stderr.write(`with the inspector collecting: ${JSON.stringify(withInspector)}\n`);
    const without = await phase(worker, false);
    process.stdout.write(
      `${JSON.stringify(
        {
          links: LINKS,
          secondsEach: PHASE_MS / 1_000,
          heldAfterSeconds: HELD_AFTER_MS / 1_000,
          "status requests of running fleet runs while the inspector collects garbage back to back": withInspector,
          "the same without the inspector": without,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    publishing = false;
    await Promise.all(published);
  }
});
