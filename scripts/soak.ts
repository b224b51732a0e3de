import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { FleetRun } from "@jetson/protocol";
import { LIFTED_RATE_LIMITS } from "../bench/lifted-limits.js";
import { percentile, round } from "../bench/stats.js";
import { storedSamples } from "../bench/stored-samples.js";
import { DashboardWatcher } from "./dashboard-watcher.js";
import { groupUsage } from "./process-group.js";
import { LOCAL_FLEET, localFleetBridge } from "./local-fleet.js";
import { type LocalBridge, LocalWorker, tempDir } from "./local-stack.js";
import { freePort } from "./ports.js";
import { SAMPLES_PER_BATCH, SoakLink } from "./soak-link.js";
import { inParallel } from "../bench/in-parallel.js";
import { censusGrowth, type HeapCensus, WorkerInspector } from "./worker-inspector.js";
import { type MemorySample, memoryVerdict } from "./memory-trend.js";
import { probedRequest } from "./probed-request.js";
import { WORKER_RUNTIME } from "./worker-runtime.js";

/** How often a device's figures alone reach the registry; set here, not left to the Worker's default, so the implied rate below holds. */
const FIGURES_EVERY_MS = 60_000;

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const { values: flags } = parseArgs({
  options: {
    minutes: { type: "string", default: process.env.SOAK_MINUTES ?? "30" },
    links: { type: "string", default: process.env.SOAK_LINKS ?? "1000" },
    /**
     * Also count the isolate's heap by constructor early and just before the restart. Each census
     * pauses every object for a while, and the snapshot's transfer leaves both workerd processes
     * larger: leave it off for the memory figures.
     */
    "heap-census": { type: "boolean", default: false },
    /** Also write wrangler's output (a line per HTTP request, with its time) to this file: where a slow request went. */
    "worker-log": { type: "string" },
  },
});
const MINUTES = Number(flags.minutes);
const LINKS = Number(flags.links);
if (!(MINUTES > 0) || !Number.isInteger(LINKS) || LINKS < 1) {
  process.stderr.write("usage: npm run soak -- [--minutes N] [--links N] [--heap-census] [--worker-log FILE] (or SOAK_MINUTES, SOAK_LINKS)\n");
  process.exit(2);
}
const BATCH_EVERY_MS = 5 * SECOND;
const CUT_EVERY_MS = 2 * MINUTE;
const CUT_SHARE = 0.1;
/** The first fleet run a minute in (so that a short soak has one), then every 5 minutes. */
const FIRST_RUN_MS = MINUTE;
const RUN_EVERY_MS = 5 * MINUTE;
const MEMORY_EVERY_MS = 30 * SECOND;
const DASHBOARD_SESSIONS = 3;
/** What the soak's real bridges are given (scripts/local-stack.ts): the synthetic links back off alike. */
const RECONNECT = { minMs: 200, maxMs: 2_000 };
const PARALLEL = 32;
/** Failed fleet-run devices whose command was sent and never answered. */
const LOST_CODES = new Set(["timed_out", "unavailable"]);

const log = (line: string) => process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `done` holds, looking every 100 ms; false if `ms` pass first. */
async function until(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

interface RunOutcome {
  at: string;
  state: FleetRun["state"];
  devices: number;
  succeeded: number;
  failed: Record<string, number>;
  lost: number;
  seconds: number;
  /** From the first device's start to the last device's end, by the run's own times. */
  devicesSpanSeconds: number;
  /** The devices whose command took longest, from the run's own times: where a slow run spent them. */
  slowest: { device: string; state: string; seconds: number }[];
  /** Where the run's time went, in seconds: the request that started it, the run's own phases by its times, and this script's polls. */
  phases: {
    startRequest: number;
    createdToFirstDevice: number;
    lastDeviceToRunEnd: number;
    runEndToSeen: number;
    polls: number;
    slowestPoll: number;
  };
}

/** A REST call tried again every 2 s for up to two minutes while it fails (a busy or restarting Worker); each failure is logged. */
async function patiently<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 2 * MINUTE;
  for (;;) {
    const tried = Date.now();
    try {
      return await call();
    } catch (error) {
      log(`failed after ${round((Date.now() - tried) / SECOND)} s, trying again: ${(error as Error).message.slice(0, 300)}`);
      if (Date.now() > deadline) throw error;
      await sleep(2 * SECOND);
    }
  }
}

/** A status poll not answered after this long gets a probe: the same request sent again. */
const PROBE_AFTER_MS = 8 * SECOND;

/** A status poll, probed when slow (see probedRequest), logging when each answered. */
async function probedPoll<T>(request: () => Promise<T>): Promise<T> {
  const { answer, held } = await probedRequest(request, PROBE_AFTER_MS);
  if (held) {
    if (held.secondError !== undefined) log(`the probe failed: ${held.secondError.slice(0, 300)}`);
    log(`a status poll had no answer after ${PROBE_AFTER_MS / SECOND} s; the same request sent again answered ${round(held.secondMs / SECOND)} s later, the first ${round(held.firstMs / SECOND)} s after the probe was sent`);
  }
  return answer;
}

/** A fleet run of system.ping (read-only) on every device, through the REST route operators use, waited for to its end. */
async function fleetRun(worker: LocalWorker): Promise<RunOutcome> {
  const began = Date.now();
  const started = await worker.api<FleetRun>("/api/runs", {
    method: "POST",
    body: JSON.stringify({ selector: "id:*", action: "system.ping", concurrency: 100 }),
  });
  const startRequest = Date.now() - began;
  let run = started;
  let polls = 0;
  let slowestPoll = 0;
  while (run.state === "running") {
    await sleep(2 * SECOND);
    const polled = Date.now();
    run = await patiently(() => probedPoll(() => worker.api<FleetRun>(`/api/runs/${started.id}`)));
    polls += 1;
    slowestPoll = Math.max(slowestPoll, Date.now() - polled);
  }
  const seen = Date.now();
  const firstDeviceStart = Math.min(...run.devices.map((device) => device.startedAt ?? Infinity));
  const lastDeviceEnd = Math.max(...run.devices.map((device) => device.endedAt ?? 0));
  const failed: Record<string, number> = {};
  let lost = 0;
  for (const device of run.devices) {
    if (device.state !== "failed") continue;
    const code = device.error?.code ?? "unknown";
    failed[code] = (failed[code] ?? 0) + 1;
    if (LOST_CODES.has(code)) lost += 1;
  }
  return {
    at: new Date(began).toISOString(),
    state: run.state,
    devices: run.devices.length,
    succeeded: run.counts.succeeded,
    failed,
    lost,
    seconds: round((seen - began) / SECOND),
    devicesSpanSeconds: round((lastDeviceEnd - firstDeviceStart) / SECOND),
    slowest: run.devices
      .filter((device) => device.startedAt !== undefined && device.endedAt !== undefined)
      .map((device) => ({ device: device.device, state: device.state, seconds: round(((device.endedAt ?? 0) - (device.startedAt ?? 0)) / SECOND) }))
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, 3),
    phases: {
      startRequest: round(startRequest / SECOND),
      createdToFirstDevice: round((firstDeviceStart - run.createdAt) / SECOND),
      lastDeviceToRunEnd: round(((run.endedAt ?? seen) - lastDeviceEnd) / SECOND),
      runEndToSeen: round((seen - (run.endedAt ?? seen)) / SECOND),
      polls,
      slowestPoll: round(slowestPoll / SECOND),
    },
  };
}

/** The JS heap figures are worth having, not worth the soak: without the inspector the soak goes on. */
async function attachInspector(port: number): Promise<WorkerInspector | undefined> {
  return WorkerInspector.attach(port).catch((error: Error) => {
    log(`no JS heap figures: the inspector did not answer (${error.message})`);
    return undefined;
  });
}

async function workerdCpuSeconds(worker: LocalWorker): Promise<number> {
  return worker.pid === undefined ? 0 : (await groupUsage(worker.pid, "workerd")).cpuSeconds;
}

async function main(): Promise<void> {
  const dir = await tempDir("jetson-soak-");
  const inspectorPort = await freePort();
  const workerLog = flags["worker-log"] === undefined ? undefined : createWriteStream(flags["worker-log"]);
  const worker = new LocalWorker({
    port: await freePort(),
    inspectorPort,
    operatorToken: randomBytes(24).toString("base64url"),
    persistDir: path.join(dir, "state"),
    vars: { ...LIFTED_RATE_LIMITS, SUMMARY_FIGURES_EVERY_MS: String(FIGURES_EVERY_MS) },
    echo: workerLog && ((line) => workerLog.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`)),
  });
  let running = true;
  const links: SoakLink[] = [];
  const bridges: LocalBridge[] = [];
  const watchers: DashboardWatcher[] = [];
  const timers: NodeJS.Timeout[] = [];
  let inspector: WorkerInspector | undefined;
  const shutdown = async () => {
    running = false;
    inspector?.close();
    for (const timer of timers) clearInterval(timer);
    for (const watcher of watchers) watcher.stop();
    await Promise.all(links.map((link) => link.stop()));
    await Promise.all(bridges.map((bridge) => bridge.dispose()));
    await worker.stop();
    await new Promise((resolve) => (workerLog ? workerLog.end(resolve) : resolve(undefined)));
    // A 30-minute soak leaves gigabytes of SQLite files (each object's database and write-ahead log).
    await rm(dir, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void shutdown().then(() => process.exit(130)));

  try {
    log(`${MINUTES} minutes, ${LINKS} device links in this process plus ${LOCAL_FLEET.length} simulated boards' bridges`);
    log(`rate limits lifted for the soak: ${JSON.stringify(LIFTED_RATE_LIMITS)}`);
    await worker.start();
    inspector = await attachInspector(inspectorPort);
    await worker.createFleet("local");
    const ids = Array.from({ length: LINKS }, (_, i) => `soak-${String(i).padStart(4, "0")}`);
    let began = performance.now();
    const devices = await inParallel(ids, PARALLEL, (id) => worker.provision(id));
    const provisionSeconds = round((performance.now() - began) / SECOND);
    log(`provisioned ${LINKS} devices in ${provisionSeconds} s (REST, ${PARALLEL} at a time)`);

    for (const entry of LOCAL_FLEET) {
      const bridge = await localFleetBridge(worker, await worker.provision(entry.id), entry, { dir: path.join(dir, "boards"), scenarios: true });
      await bridge.start();
      bridges.push(bridge);
    }
    log(`${bridges.length} bridges connected`);

    // 1,000 links once connected in about 6 s on this machine: the CPU time spent says whether it is the Worker or the machine.
    const cpuBefore = { workerd: await workerdCpuSeconds(worker), soak: process.cpuUsage() };
    began = performance.now();
    links.push(...devices.map((device) => new SoakLink({ url: worker.url, device, reconnect: RECONNECT, wanted: () => running })));
    await inParallel(links, PARALLEL, (link) => link.connect());
    const connectSeconds = round((performance.now() - began) / SECOND);
    const soakCpu = process.cpuUsage(cpuBefore.soak);
    const connectCpu = {
      "workerd CPU seconds": round((await workerdCpuSeconds(worker)) - cpuBefore.workerd),
      "this process's CPU seconds": round((soakCpu.user + soakCpu.system) / 1e6),
      "load average (1 min) on 2 cores": round(loadavg()[0] ?? 0),
    };
    log(`${LINKS} links connected in ${connectSeconds} s: ${JSON.stringify(connectCpu)}`);

    for (let i = 0; i < DASHBOARD_SESSIONS; i++) watchers.push(await DashboardWatcher.signIn(worker.url, worker.fleetToken));

    const start = Date.now();
    const end = start + MINUTES * MINUTE;
    // Each link on its own phase, as a fleet's bridges are.
    for (const link of links) {
      const phase = Math.random() * BATCH_EVERY_MS;
      setTimeout(() => {
        if (!running) return;
        void link.tick(Date.now());
        timers.push(setInterval(() => void link.tick(Date.now()), BATCH_EVERY_MS));
      }, phase);
    }

    const memory: MemorySample[] = [];
    let previous = { at: Date.now(), workerd: await workerdCpuSeconds(worker), soak: process.cpuUsage() };
    // While the Worker restarts no workerd runs: that moment has no figure. CPU is a share of one core since the previous figure.
    const sampleMemory = async () => {
      const group = worker.pid;
      const usage = group === undefined ? { residentMiB: 0, cpuSeconds: 0 } : await groupUsage(group, "workerd");
      const now = { at: Date.now(), workerd: usage.cpuSeconds, soak: process.cpuUsage() };
      const seconds = (now.at - previous.at) / SECOND;
      const soak = process.cpuUsage(previous.soak);
      const runtime = group === undefined ? usage : await groupUsage(group, "workerd", WORKER_RUNTIME);
      // Asked after the CPU figures, so that the collection it forces is not counted as the Worker's CPU.
      const asked = Date.now();
      const jsHeapMiB = await inspector?.liveHeapMiB().catch(() => undefined);
      if (Date.now() - asked > 2 * SECOND) log(`the JS heap figure took ${round((Date.now() - asked) / SECOND)} s (the inspector pauses the Worker's isolate)`);
      if (usage.residentMiB > 0 && now.workerd >= previous.workerd) {
        memory.push({
          minute: round((now.at - start) / MINUTE, 1),
          workerMiB: runtime.residentMiB,
          proxyMiB: usage.residentMiB - runtime.residentMiB,
          jsHeapMiB,
          workerdCpuPct: Math.round((100 * (now.workerd - previous.workerd)) / seconds),
          soakCpuPct: Math.round((100 * (soak.user + soak.system)) / 1e6 / seconds),
          loadAverage: round(loadavg()[0] ?? 0),
        });
      }
      previous = now;
    };
    await sampleMemory();
    timers.push(setInterval(() => void sampleMemory(), MEMORY_EVERY_MS));

    const cuts: { at: string; cut: number; reconnectedWithin10s: boolean }[] = [];
    let restart: Record<string, unknown> | undefined;
    const runs: Promise<RunOutcome | undefined>[] = [];
    /** What went wrong that is neither a lost sample nor a lost command (a fleet run that could not be started or followed). */
    const failures: string[] = [];
    const events: { at: number; name: string; run: () => Promise<void> }[] = [];
    const censuses: { minute: number; census: HeapCensus }[] = [];
    const takeCensus = async () => {
      const minute = round((Date.now() - start) / MINUTE, 1);
      if (inspector) censuses.push({ minute, census: await inspector.census() });
    };
    if (flags["heap-census"]) events.push({ at: start + (MINUTES * MINUTE) / 6, name: "heap census", run: takeCensus });
    for (let at = start + CUT_EVERY_MS; at < end; at += CUT_EVERY_MS) {
      events.push({
        at,
        name: "cut",
        run: async () => {
          const chosen = links.filter((link) => link.up && Math.random() < CUT_SHARE);
          const cutAt = Date.now();
          for (const link of chosen) link.cut();
          // Connected again since the cut: a cut link reads as up until its client has seen the close.
          const back = await until(() => chosen.every((link) => link.up && link.connectedAt > cutAt), 10 * SECOND);
          cuts.push({ at: new Date().toISOString(), cut: chosen.length, reconnectedWithin10s: back });
          log(`cut ${chosen.length} links; ${back ? "all back within 10 s" : "not all back within 10 s"}`);
        },
      });
    }
    for (let at = start + FIRST_RUN_MS; at < end; at += RUN_EVERY_MS) {
      events.push({
        at,
        name: "fleet run",
        run: async () => {
          const outcome = fleetRun(worker).catch((error: Error) => {
            failures.push(`fleet run: ${error.message}`);
            return undefined;
          });
          runs.push(outcome);
          void outcome.then((o) => o && log(`fleet run: ${o.succeeded} of ${o.devices} succeeded, ${o.lost} lost, in ${o.seconds} s (devices ${o.devicesSpanSeconds} s); slowest ${JSON.stringify(o.slowest)}; phases ${JSON.stringify(o.phases)}`));
        },
      });
    }
    events.push({
      at: start + (MINUTES * MINUTE) / 2,
      name: "Worker restart",
      run: async () => {
        // A run in progress would be interrupted (its devices not sent again): the restart waits for it.
        await Promise.all(runs);
        const wereUp = links.filter((link) => link.up);
        const bridgesBack = bridges.map((bridge) => bridge.running.nextLine(/connected to /, 5 * MINUTE).then(() => Date.now()));
        if (flags["heap-census"]) await takeCensus();
        inspector?.close();
        inspector = undefined;
        const stopped = Date.now();
        await worker.restart();
        const ready = Date.now();
        inspector = await attachInspector(inspectorPort);
        log(`Worker restarted (${round((ready - stopped) / SECOND)} s down); waiting for ${wereUp.length} links`);
        const allBack = await until(() => wereUp.every((link) => link.up && link.connectedAt > ready), 5 * MINUTE);
        const linkMs = wereUp.filter((link) => link.connectedAt > ready).map((link) => link.connectedAt - ready);
        const bridgeMs = (await Promise.all(bridgesBack.map((back) => back.catch(() => Number.NaN)))).map((at) => at - ready);
        restart = {
          workerDownSeconds: round((ready - stopped) / SECOND),
          linksUpBefore: wereUp.length,
          linksBack: linkMs.length,
          allBack,
          "link reconnect after the Worker was ready (ms)": { p50: percentile(linkMs, 50), p99: percentile(linkMs, 99), max: percentile(linkMs, 100) },
          "real bridges' reconnect after the Worker was ready (ms)": Object.fromEntries(bridges.map((bridge, i) => [bridge.deviceId, round(bridgeMs[i] ?? Number.NaN)])),
        };
        log(`links back: ${linkMs.length}/${wereUp.length}, p50 ${percentile(linkMs, 50)} ms, p99 ${percentile(linkMs, 99)} ms`);
      },
    });
    events.sort((a, b) => a.at - b.at);
    for (const event of events) {
      await sleep(Math.max(0, event.at - Date.now()));
      log(`${event.name} (minute ${round((Date.now() - start) / MINUTE, 1)})`);
      await event.run();
    }
    await sleep(Math.max(0, end - Date.now()));

    log("stopping telemetry; waiting for every link's queue to be acknowledged");
    for (const timer of timers) clearInterval(timer);
    const fleetRuns = (await Promise.all(runs)).filter((run) => run !== undefined);
    await until(() => links.every((link) => link.up && link.queued === 0), 2 * MINUTE);
    const seconds = (Date.now() - start) / SECOND;

    log("counting stored samples through the REST telemetry API");
    const to = Date.now() + MINUTE;
    const stored = await inParallel(links, PARALLEL, (link) => storedSamples(worker, link.id, link.firstSampleAt ?? start, to));
    const acknowledged = links.map((link) => link.counts.samplesAcknowledged);
    const lostSamples = links.reduce((sum, _, i) => sum + Math.max(0, (acknowledged[i] ?? 0) - (stored[i] ?? 0)), 0);
    const unacknowledgedStored = links.reduce((sum, _, i) => sum + Math.max(0, (stored[i] ?? 0) - (acknowledged[i] ?? 0)), 0);
    const boardsStored = await Promise.all(bridges.map((bridge) => storedSamples(worker, bridge.deviceId, start, to)));
    const total = (key: keyof SoakLink["counts"]) => links.reduce((sum, link) => sum + link.counts[key], 0);
    const batches = total("samplesAcknowledged") / SAMPLES_PER_BATCH;
    const connects = total("connects");
    const lostCommands = fleetRuns.reduce((sum, run) => sum + run.lost, 0);
    const ranTwice = total("deliveredAfterAnswered");

    const result = {
      date: new Date().toISOString(),
      minutes: MINUTES,
      "rate limits lifted": LIFTED_RATE_LIMITS,
      fleet: { links: LINKS, realBridges: bridges.map((bridge) => bridge.deviceId), dashboardSessions: DASHBOARD_SESSIONS },
      setup: { provisionSeconds, connectSeconds, "while connecting": connectCpu },
      samples: {
        "acknowledged (the synthetic links count only batches the Worker acknowledged as sent; a bridge would also buffer while down)": total("samplesAcknowledged"),
        stored: stored.reduce((sum, n) => sum + n, 0),
        lost: lostSamples,
        "stored but never acknowledged": unacknowledgedStored,
        "dropped from a full queue (link down over a minute)": total("samplesDropped"),
        "stored from the real bridges": Object.fromEntries(bridges.map((bridge, i) => [bridge.deviceId, boardsStored[i]])),
      },
      commands: {
        fleetRuns,
        issued: fleetRuns.reduce((sum, run) => sum + run.devices, 0),
        succeeded: fleetRuns.reduce((sum, run) => sum + run.succeeded, 0),
        lost: lostCommands,
        "run twice (delivered again after the result was acknowledged)": ranTwice,
        "executions on the synthetic links": total("executions"),
        "redelivered before the result was acknowledged (answered from the journal)": total("redeliveries"),
      },
      cuts,
      workerRestart: restart,
      failures,
      memory: {
        "every 30 s: resident memory (MiB) of the Worker's workerd and of wrangler's proxy workerd, the Worker's live JS heap after a full collection (MiB), both workerd's and this process's CPU (% of one core), load average":
          memory,
        ...memoryVerdict(memory, MINUTES),
      },
      ...(censuses.length === 2 && {
        "JS heap census": {
          minutes: censuses.map((c) => c.minute),
          "what grew most between them (objects, own bytes)": censusGrowth(censuses[0]!.census, censuses[1]!.census),
        },
      }),
      registry: {
        "summary upserts per second, at most (implied)": round((Math.min(batches, (LINKS * seconds) / (FIGURES_EVERY_MS / 1000)) + connects) / seconds, 1),
        how: `Not observable from outside: a device's figures reach the registry at most once per ${FIGURES_EVERY_MS / 1000} s (its acknowledged batches, if fewer), and each connection's state message once; real bridges and alert changes add a few more.`,
        "dashboard live messages received per second (all sessions)": round(watchers.reduce((sum, w) => sum + w.messages, 0) / seconds, 1),
        "dashboard live sockets opened": watchers.reduce((sum, w) => sum + w.opens, 0),
      },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    const failed = lostSamples > 0 || lostCommands > 0 || ranTwice > 0 || failures.length > 0;
    if (failed) log(`FAILED: ${lostSamples} samples lost, ${lostCommands} commands lost, ${ranTwice} run twice, ${failures.length} other failures`);
    process.exitCode = failed ? 1 : 0;
  } finally {
    await shutdown();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
