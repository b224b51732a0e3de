import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ActionName, ChannelMessage, Command } from "@jetson/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type LocalPodman, startPodman } from "../../../scripts/podman.js";
import { servingSpec } from "../ai/serving.js";
import { CommandJournal } from "../command-journal.js";
import { DockerEngine } from "../containers/docker-engine.js";
import { type EngineClient, SocketEngineClient } from "../containers/engine-client.js";
import { holdingFirst } from "../containers/held-engine.fixture.js";
import { launchContainer } from "../containers/launch.js";
import { Dispatcher } from "../dispatcher.js";
import { heldDownloads } from "../held-downloads.fixture.js";
import type { HostPort } from "../host/port.js";
import type { Logger } from "../log.js";
import { ReleaseDir } from "../update/release-dir.js";
import { releaseServer } from "../update/release-server.fixture.js";
import { BridgeUpdater } from "../update/updater.js";
import { createWorkloads } from "../workloads.js";
import { handlers } from "./index.js";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";
import type { HandlerTable } from "./types.js";

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function board(wrapHost?: (host: HostPort) => HostPort): Promise<SimulatedBoard> {
  const made = await simulatedBoard("agx-orin-jp6", wrapHost);
  cleanups.push(() => made.remove());
  return made;
}

/** The board's host, running programs through `run` instead of its own. */
function runningThrough(host: HostPort, run: HostPort["run"]): HostPort {
  return { run, readFile: (p) => host.readFile(p), writeFile: (p, data) => host.writeFile(p, data), listDir: (p) => host.listDir(p), statFs: (p) => host.statFs(p), actingProcess: () => host.actingProcess() };
}

/** The bridge's dispatcher, with its journal and handlers, serving a simulated board: what it answers is kept. */
async function bridgeOn(on: SimulatedBoard, options: { handlers?: HandlerTable; modelSources?: string[]; engine?: EngineClient } = {}) {
  const results: Array<ChannelMessage<"result">> = [];
  const dispatcher = new Dispatcher({
    handlers: options.handlers ?? handlers,
    journal: await CommandJournal.open(path.join(on.stateDir, "commands.jsonl")),
    host: on.host,
    stateDir: on.stateDir,
    bridgeVersion: "test",
    workloads: createWorkloads(
      {
        docker: { socket: path.join(on.stateDir, "docker.sock"), volumeRoots: [] },
        models: { dir: path.join(on.stateDir, "models"), minFreeBytes: 0, localSources: options.modelSources },
      },
      options.engine,
    ),
    send: (channel, message) => {
      if (channel === "result") results.push(message as ChannelMessage<"result">);
    },
    reportState: async () => undefined,
    log: quiet,
  });
  /** Delivers a command; settles once it is answered. */
  const run = (id: string, action: ActionName, args: Record<string, unknown> = {}) => {
    const command: Command = { id, action, args, deadline: Date.now() + 60_000, requestedBy: "test" };
    return dispatcher.handle(new TextEncoder().encode(JSON.stringify(command)));
  };
  return { dispatcher, results, run };
}

/** Each answer as its command id and "ok" or its error code. */
const outcomes = (results: Array<ChannelMessage<"result">>) => results.map((r) => (r.ok ? [r.id, "ok"] : [r.id, r.error.code]));
const busy = (id: string, message: string) => ({ id, ok: false, error: { code: "too_busy", message }, startedAt: expect.any(Number), endedAt: expect.any(Number) });

type Bridge = Awaited<ReturnType<typeof bridgeOn>>;

/**
 * The bridge's updater on release 1.0.0, and a fleet's release endpoint serving 1.1.0 to it (its bundle
 * held half way). Its restart, as the bridge's does, stops every running handler; then the process
 * ends (here, it never returns).
 */
async function restartingUpdater(bridge: () => Bridge) {
  const server = await releaseServer("1.1.0");
  cleanups.push(() => server.close());
  const releases = new ReleaseDir(await mkdtemp(path.join(tmpdir(), "updater-")));
  await releases.install("1.0.0", path.join(import.meta.dirname, "exclusive.ts"));
  await releases.switchTo("1.0.0");
  let restarted!: () => void;
  const restarting = new Promise<void>((resolve) => (restarted = resolve));
  const updater = await BridgeUpdater.open({
    identity: { url: server.url, fleet: "f", deviceId: "d", token: "t".repeat(16) },
    updateKey: server.updateKey,
    releases,
    running: "1.0.0",
    platform: "linux",
    arch: "arm64",
    handlers: {},
    restart: () => {
      void bridge().dispatcher.abortAll();
      restarted();
      return new Promise<never>(() => undefined);
    },
    log: quiet,
  });
  return { server, handler: updater.handler, releases, restarting };
}

describe("a second command that changes what a running one changes", () => {
  it("clocks.lock is refused while one runs, so clocks.restore brings back the board's own clocks", async () => {
    let bridge!: Awaited<ReturnType<typeof bridgeOn>>;
    let second: Promise<void> | undefined;
    let readBySecond!: () => void;
    const secondRead = new Promise<void>((resolve) => (readBySecond = resolve));
    let lockedByFirst!: () => void;
    const firstLocked = new Promise<void>((resolve) => (lockedByFirst = resolve));
    // A second clocks.lock arrives as the first is about to lock: unless refused, it reads the clocks
    // before the first locks them and saves them after, as two overlapping commands can on a device.
    const on = await board((host) =>
      runningThrough(host, async (program, args, options) => {
        if (program !== "jetson_clocks") return host.run(program, args, options);
        const step = args[0] ?? "lock";
        if (step === "lock" && !second) {
          second = bridge.run("cmd-lock0002", "clocks.lock");
          await Promise.race([second, secondRead]);
          const locked = await host.run(program, args, options);
          lockedByFirst();
          return locked;
        }
        if (second && step === "--store") await firstLocked;
        const result = await host.run(program, args, options);
        if (second && step === "--show") readBySecond();
        return result;
      }),
    );
    bridge = await bridgeOn(on);
    const before = await on.run("clocks.status", {});

    // Failing (nothing saved yet) releases the clocks as surely as finishing does.
    await bridge.run("cmd-restore0", "clocks.restore");
    await bridge.run("cmd-lock0001", "clocks.lock");
    await second;
    await bridge.run("cmd-restore1", "clocks.restore");

    const after = await on.run("clocks.status", {});
    expect(after.cpus.map((c) => [c.cpu, c.minKHz, c.maxKHz])).toEqual(before.cpus.map((c) => [c.cpu, c.minKHz, c.maxKHz]));
    expect(outcomes(bridge.results)).toEqual([
      ["cmd-restore0", "unavailable"],
      ["cmd-lock0002", "too_busy"],
      ["cmd-lock0001", "ok"],
      ["cmd-restore1", "ok"],
    ]);
    expect(bridge.results[1]).toEqual(
      busy("cmd-lock0002", "clocks.lock is already changing the clocks and power mode (command cmd-lock0001); try again when it has finished."),
    );
  });

  it("ai.model_deploy of a model being deployed is refused, and the first deploy keeps it whole", async () => {
    const model = Buffer.from("model weights\n".repeat(100_000));
    const sha256 = createHash("sha256").update(model).digest("hex");
    const server = await heldDownloads({ "/net.onnx": model });
    cleanups.push(() => server.close());
    const on = await board();
    const bridge = await bridgeOn(on, { modelSources: [server.url] });
    const deploy = { name: "net.onnx", url: `${server.url}/net.onnx`, sha256 };

    const first = bridge.run("cmd-deploy01", "ai.model_deploy", deploy);
    await server.started(1);
    const second = bridge.run("cmd-deploy02", "ai.model_deploy", deploy);
    // Refused, it is answered; run, it downloads too.
    await Promise.race([second, server.started(2)]);
    server.sendRest();
    await first;

    expect(bridge.results).toEqual([
      busy("cmd-deploy02", "ai.model_deploy is already changing the model net.onnx (command cmd-deploy01); try again when it has finished."),
      expect.objectContaining({ id: "cmd-deploy01", ok: true, data: expect.objectContaining({ name: "net.onnx", sizeBytes: model.length, sha256 }) }),
    ]);
    const store = path.join(on.stateDir, "models");
    expect(await readdir(store)).toEqual(["net.onnx"]);
    expect((await readFile(path.join(store, "net.onnx"))).equals(model)).toBe(true);
    // The model is free again once the deploy finished.
    await bridge.run("cmd-remove01", "ai.model_remove", { name: "net.onnx" });
    expect(bridge.results[2]).toMatchObject({ id: "cmd-remove01", ok: true });
  });

  it("packages.install is refused while one runs, and dpkg keeps what each install installed", async () => {
    let bridge!: Awaited<ReturnType<typeof bridgeOn>>;
    let second: Promise<void> | undefined;
    let aptBySecond!: () => void;
    const secondRunsApt = new Promise<void>((resolve) => (aptBySecond = resolve));
    // A second install arrives as the first starts apt-get: unless refused, its apt-get runs beside the
    // first's (on a device it waits on dpkg's lock, then fails naming someone else, or runs after it).
    const on = await board((host) =>
      runningThrough(host, async (program, args, options) => {
        if (program === "apt-get" && !second) {
          second = bridge.run("cmd-install2", "packages.install", { names: ["iperf3"] });
          await Promise.race([second, secondRunsApt]);
        } else if (program === "apt-get") aptBySecond();
        return host.run(program, args, options);
      }),
    );
    bridge = await bridgeOn(on);

    await bridge.run("cmd-install1", "packages.install", { names: ["htop"] });
    await second;
    // The package manager is free again once the first finished.
    await bridge.run("cmd-install3", "packages.install", { names: ["iperf3"] });

    expect(outcomes(bridge.results)).toEqual([
      ["cmd-install2", "too_busy"],
      ["cmd-install1", "ok"],
      ["cmd-install3", "ok"],
    ]);
    expect(bridge.results[0]).toEqual(
      busy("cmd-install2", "packages.install is already changing the package manager (command cmd-install1); try again when it has finished."),
    );
    for (const name of ["htop", "iperf3"]) {
      expect((await on.run("packages.list", { match: name })).packages).toMatchObject([{ name, status: "installed" }]);
    }
  });

  it("ai.model_remove is refused while ai.benchmark reads that model, which is measured whole", async () => {
    let bridge!: Awaited<ReturnType<typeof bridgeOn>>;
    // The removal arrives as trtexec is about to open the model.
    const on = await board((host) =>
      runningThrough(host, async (program, args, options) => {
        if (program === "trtexec") await bridge.run("cmd-remove01", "ai.model_remove", { name: "net.onnx" });
        return host.run(program, args, options);
      }),
    );
    const store = path.join(on.stateDir, "models");
    await mkdir(store, { recursive: true });
    await writeFile(path.join(store, "net.onnx"), Buffer.alloc(1 << 20, 1));
    bridge = await bridgeOn(on);

    await bridge.run("cmd-bench001", "ai.benchmark", { model: "net.onnx", durationSeconds: 1 });

    expect(bridge.results).toEqual([
      busy("cmd-remove01", "ai.benchmark is already using the model net.onnx (command cmd-bench001); try again when it has finished."),
      expect.objectContaining({ id: "cmd-bench001", ok: true, data: expect.objectContaining({ model: "net.onnx", throughputQps: expect.any(Number) }) }),
    ]);
    expect(await readdir(store)).toEqual(["net.onnx"]);
    await bridge.run("cmd-remove02", "ai.model_remove", { name: "net.onnx" });
    expect(bridge.results[2]).toMatchObject({ id: "cmd-remove02", ok: true, data: { freedBytes: 1 << 20 } });
  });

  it("bridge.update is refused while one runs, which goes on to restart into its release", async () => {
    let bridge!: Bridge;
    const update = await restartingUpdater(() => bridge);
    const { server } = update;
    bridge = await bridgeOn(await board(), { handlers: { ...handlers, "bridge.update": update.handler } });

    // Never answered by this process: it restarts.
    void bridge.run("cmd-update01", "bridge.update", { version: "1.1.0" });
    await server.started(1);
    const second = bridge.run("cmd-update02", "bridge.update", { version: "1.1.0" });
    await Promise.race([second, server.started(2)]);
    server.sendRest();
    await update.restarting;

    expect(bridge.results).toEqual([busy("cmd-update02", "bridge.update is already changing the bridge version (command cmd-update01); try again when it has finished.")]);
    expect(await update.releases.linked("current")).toBe("1.1.0");
    expect(await update.releases.pending()).toMatchObject({ version: "1.1.0", from: "1.0.0" });
  });
});

describe("bridge.update, whose restart stops every command running then", () => {
  it("is refused while packages.install changes the device, naming it, and the install ends whole", async () => {
    let bridge!: Bridge;
    const update = await restartingUpdater(() => bridge);
    const { server } = update;
    let updated: Promise<void> | undefined;
    // The update arrives as the install starts apt-get: unless refused, its restart stops apt-get halfway.
    const on = await board((host) =>
      runningThrough(host, async (program, args, options) => {
        if (program === "apt-get" && !updated) {
          updated = bridge.run("cmd-update01", "bridge.update", { version: "1.1.0" });
          await Promise.race([updated, server.started(1)]);
          server.sendRest();
          await Promise.race([updated, update.restarting]);
        }
        return host.run(program, args, options);
      }),
    );
    bridge = await bridgeOn(on, { handlers: { ...handlers, "bridge.update": update.handler } });

    await bridge.run("cmd-install1", "packages.install", { names: ["htop"] });

    expect(bridge.results).toEqual([
      busy("cmd-update01", "packages.install is changing the device (command cmd-install1), and bridge.update would stop it halfway when it restarts the bridge; try again when it has finished."),
      expect.objectContaining({ id: "cmd-install1", ok: true }),
    ]);
    expect((await on.run("packages.list", { match: "htop" })).packages).toMatchObject([{ name: "htop", status: "installed" }]);
    expect(await update.releases.linked("current")).toBe("1.0.0");
  });

  it("refuses packages.install while it runs, and goes on to restart into its release", async () => {
    let bridge!: Bridge;
    const update = await restartingUpdater(() => bridge);
    const { server } = update;
    const on = await board();
    bridge = await bridgeOn(on, { handlers: { ...handlers, "bridge.update": update.handler } });

    void bridge.run("cmd-update01", "bridge.update", { version: "1.1.0" });
    await server.started(1);
    await bridge.run("cmd-install1", "packages.install", { names: ["htop"] });
    server.sendRest();
    await update.restarting;

    expect(bridge.results).toEqual([
      busy("cmd-install1", "bridge.update is about to restart the bridge (command cmd-update01), which would stop packages.install halfway; try again when the update has finished."),
    ]);
    expect((await on.run("packages.list", { match: "htop" })).packages).toEqual([]);
    expect(await update.releases.linked("current")).toBe("1.1.0");
  });

  it("stops a telemetry.watch running then, answered that the restart stopped it rather than with the samples it took", async () => {
    let bridge!: Bridge;
    const update = await restartingUpdater(() => bridge);
    const { server } = update;
    let watching!: () => void;
    const watchStarted = new Promise<void>((resolve) => (watching = resolve));
    const on = await board((host) =>
      runningThrough(host, (program, args, options) => {
        if (program === "tegrastats") watching();
        return host.run(program, args, options);
      }),
    );
    bridge = await bridgeOn(on, { handlers: { ...handlers, "bridge.update": update.handler } });

    const watch = bridge.run("cmd-watch001", "telemetry.watch", { seconds: 20, intervalMs: 100 });
    await watchStarted;
    void bridge.run("cmd-update01", "bridge.update", { version: "1.1.0" });
    await server.started(1);
    server.sendRest();
    await update.restarting;
    await watch;

    expect(bridge.results).toEqual([
      {
        id: "cmd-watch001",
        ok: false,
        error: { code: "handler_failed", message: "telemetry.watch was stopped because the bridge restarted (bridge.update) while it ran; run it again." },
        startedAt: expect.any(Number),
        endedAt: expect.any(Number),
      },
    ]);
  });
});

describe("commands on one container, and a served model, against a real Docker Engine API (podman's)", () => {
  let dir: string;
  let podman: LocalPodman;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "excl-"));
    podman = await startPodman(path.join(dir, "podman"));
  }, 120_000);
  afterAll(async () => {
    await podman?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const sleeper = (name: string) => ({ image: podman.image, name, command: ["sleep", "600"], network: "none" });

  it("containers.stop is refused while that container restarts, so it ends running as the restart answered; reading it is not held", async () => {
    // The restart waits at the engine until the test lets it go on.
    const engine = holdingFirst(new SocketEngineClient(podman.socketPath), (r) => r.method === "POST" && r.path.endsWith("/restart"));
    const bridge = await bridgeOn(await board(), { engine });
    await bridge.run("cmd-run00001", "containers.run", sleeper("restarted"));

    const restart = bridge.run("cmd-restart1", "containers.restart", { container: "restarted", graceSeconds: 0 });
    await engine.held;
    // Unless refused, the stop reaches the engine, stops the container, and the restart starts it again.
    const stop = bridge.run("cmd-stop0001", "containers.stop", { container: "restarted", graceSeconds: 0 });
    await Promise.race([stop, engine.arrived((r) => r.path.endsWith("/stop"))]);
    await bridge.run("cmd-inspect1", "containers.inspect", { container: "restarted" });
    engine.release();
    await Promise.all([restart, stop]);

    expect(outcomes(bridge.results)).toEqual([
      ["cmd-run00001", "ok"],
      ["cmd-stop0001", "too_busy"],
      ["cmd-inspect1", "ok"],
      ["cmd-restart1", "ok"],
    ]);
    expect(bridge.results[1]).toEqual(
      busy("cmd-stop0001", "containers.restart is already changing the container restarted (command cmd-restart1); try again when it has finished."),
    );
    expect(bridge.results[3]).toMatchObject({ ok: true, data: { container: "restarted", state: "running" } });
    await bridge.run("cmd-inspect2", "containers.inspect", { container: "restarted" });
    expect(bridge.results[4]).toMatchObject({ ok: true, data: { running: true } });
  });

  it("containers.stop by the id containers.run answered is refused while a restart by name runs: one container, however it is named", async () => {
    const engine = holdingFirst(new SocketEngineClient(podman.socketPath), (r) => r.method === "POST" && r.path.endsWith("/restart"));
    const bridge = await bridgeOn(await board(), { engine });
    await bridge.run("cmd-run00002", "containers.run", sleeper("named-and-id"));
    const id = (bridge.results[0] as { data: { id: string } }).data.id.slice(0, 12);

    const restart = bridge.run("cmd-restart2", "containers.restart", { container: "named-and-id", graceSeconds: 0 });
    await engine.held;
    const stop = bridge.run("cmd-stop0002", "containers.stop", { container: id, graceSeconds: 0 });
    await Promise.race([stop, engine.arrived((r) => r.path.endsWith("/stop"))]);
    engine.release();
    await Promise.all([restart, stop]);

    expect(outcomes(bridge.results)).toEqual([
      ["cmd-run00002", "ok"],
      ["cmd-stop0002", "too_busy"],
      ["cmd-restart2", "ok"],
    ]);
    expect(bridge.results[1]).toEqual(
      busy("cmd-stop0002", "containers.restart is already changing the container named-and-id (command cmd-restart2); try again when it has finished."),
    );
    await bridge.run("cmd-inspect3", "containers.inspect", { container: "named-and-id" });
    expect(bridge.results[3]).toMatchObject({ ok: true, data: { running: true } });
  });

  it("a command cancelled while its container is looked up never starts, and is answered cancelled", async () => {
    let armed = false;
    // The lookup the exclusions make before the handler runs waits at the engine until the test lets it go on.
    const engine = holdingFirst(new SocketEngineClient(podman.socketPath), (r) => armed && r.method === "GET" && r.path === "/containers/kept/json");
    const bridge = await bridgeOn(await board(), { engine });
    await bridge.run("cmd-run00003", "containers.run", sleeper("kept"));
    armed = true;
    const remove = bridge.run("cmd-remove03", "containers.remove", { container: "kept", force: true });
    await engine.held;
    bridge.dispatcher.cancel(new TextEncoder().encode(JSON.stringify({ id: "cmd-remove03" })));
    engine.release();
    await remove;
    await bridge.run("cmd-inspect4", "containers.inspect", { container: "kept" });

    expect(outcomes(bridge.results)).toEqual([
      ["cmd-run00003", "ok"],
      ["cmd-remove03", "cancelled"],
      ["cmd-inspect4", "ok"],
    ]);
    expect(bridge.results[1]).toMatchObject({ ok: false, error: { message: "containers.remove was cancelled before it started; nothing was done." } });
  });

  /** A board with the model net.onnx in its store, whose bridge's serve waits at its first request to the engine until the test lets it go on. */
  async function servingBridge() {
    const on = await board();
    const store = path.join(on.stateDir, "models");
    await mkdir(store, { recursive: true });
    await writeFile(path.join(store, "net.onnx"), "weights");
    const engine = holdingFirst(new SocketEngineClient(podman.socketPath), (r) => r.path === "/info");
    return { store, engine, bridge: await bridgeOn(on, { engine }) };
  }

  it("ai.model_remove is refused while ai.serve starts that model, and the model stays whole", async () => {
    const { store, engine, bridge } = await servingBridge();

    const serve = bridge.run("cmd-serve001", "ai.serve", { model: "net.onnx", ...sleeper("net-server") });
    await engine.held;
    // Unless refused, the model is gone before the server that mounts it starts.
    await bridge.run("cmd-remove01", "ai.model_remove", { name: "net.onnx" });
    engine.release();
    await serve;

    expect(bridge.results[0]).toEqual(busy("cmd-remove01", "ai.serve is already using the model net.onnx (command cmd-serve001); try again when it has finished."));
    // podman has no NVIDIA runtime, so this serve goes no further; on a Jetson it starts the server.
    expect(bridge.results[1]).toMatchObject({ id: "cmd-serve001", ok: false, error: { code: "not_supported" } });
    expect(await readFile(path.join(store, "net.onnx"), "utf8")).toBe("weights");
  });

  it("a command on the container a named ai.serve is starting is refused, and its model is held as well", async () => {
    const { engine, bridge } = await servingBridge();

    const serve = bridge.run("cmd-serve002", "ai.serve", { model: "net.onnx", ...sleeper("starting-server") });
    await engine.held;
    // Unless refused, the removal acts on a server half made: before it exists, or as it starts.
    await bridge.run("cmd-remove04", "containers.remove", { container: "starting-server", force: true });
    await bridge.run("cmd-remove05", "ai.model_remove", { name: "net.onnx" });
    engine.release();
    await serve;

    expect(bridge.results.slice(0, 2)).toEqual([
      busy("cmd-remove04", "ai.serve is already changing the container starting-server (command cmd-serve002); try again when it has finished."),
      busy("cmd-remove05", "ai.serve is already using the model net.onnx (command cmd-serve002); try again when it has finished."),
    ]);
  });

  it("ai.model_remove of a model a running container serves is refused, naming the container; stopped, the model goes", async () => {
    const on = await board();
    const store = path.join(on.stateDir, "models");
    await mkdir(store, { recursive: true });
    for (const name of ["served.onnx", "idle.onnx"]) await writeFile(path.join(store, name), "weights");
    const engine = new SocketEngineClient(podman.socketPath);
    // As ai.serve starts it, but without the NVIDIA runtime podman lacks.
    const { spec } = servingSpec({ modelsDir: await realpath(store), model: "served.onnx", image: podman.image, port: 8000, command: ["sleep", "600"], network: "none" });
    await launchContainer(new DockerEngine(engine), "served-server", { ...spec, gpu: false, ports: [] });
    const bridge = await bridgeOn(on, { engine });

    await bridge.run("cmd-remove01", "ai.model_remove", { name: "served.onnx" });
    await bridge.run("cmd-remove02", "ai.model_remove", { name: "idle.onnx" });
    expect(await readdir(store)).toEqual(["served.onnx"]);
    await bridge.run("cmd-stop0001", "containers.stop", { container: "served-server", graceSeconds: 0 });
    await bridge.run("cmd-remove03", "ai.model_remove", { name: "served.onnx" });

    expect(outcomes(bridge.results)).toEqual([
      ["cmd-remove01", "invalid_input"],
      ["cmd-remove02", "ok"],
      ["cmd-stop0001", "ok"],
      ["cmd-remove03", "ok"],
    ]);
    expect(bridge.results[0]).toMatchObject({
      error: {
        message:
          "The model served.onnx is served by the running container served-server: stop or remove it first (containers_stop, containers_remove), then remove the model. Nothing was removed.",
      },
    });
    expect(await readdir(store)).toEqual([]);
  });
});
