import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ActionName, ChannelMessage, Command } from "@jetson/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { CommandJournal } from "../command-journal.js";
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

/** The bridge's dispatcher, with its journal and handlers, serving a simulated board: what it answers is kept. */
async function bridgeOn(on: SimulatedBoard, options: { handlers?: HandlerTable; modelSources?: string[] } = {}) {
  const results: Array<ChannelMessage<"result">> = [];
  const dispatcher = new Dispatcher({
    handlers: options.handlers ?? handlers,
    journal: await CommandJournal.open(path.join(on.stateDir, "commands.jsonl")),
    host: on.host,
    stateDir: on.stateDir,
    bridgeVersion: "test",
    workloads: createWorkloads({
      docker: { socket: path.join(on.stateDir, "docker.sock"), volumeRoots: [] },
      models: { dir: path.join(on.stateDir, "models"), minFreeBytes: 0, localSources: options.modelSources },
    }),
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

const busy = (id: string, message: string) => ({ id, ok: false, error: { code: "too_busy", message }, startedAt: expect.any(Number), endedAt: expect.any(Number) });

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
    const on = await board((host) => ({
      run: async (program, args, options) => {
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
      },
      readFile: (p) => host.readFile(p),
      writeFile: (p, data) => host.writeFile(p, data),
      listDir: (p) => host.listDir(p),
      statFs: (p) => host.statFs(p),
    }));
    bridge = await bridgeOn(on);
    const before = await on.run("clocks.status", {});

    // Failing (nothing saved yet) releases the clocks as surely as finishing does.
    await bridge.run("cmd-restore0", "clocks.restore");
    await bridge.run("cmd-lock0001", "clocks.lock");
    await second;
    await bridge.run("cmd-restore1", "clocks.restore");

    const after = await on.run("clocks.status", {});
    expect(after.cpus.map((c) => [c.cpu, c.minKHz, c.maxKHz])).toEqual(before.cpus.map((c) => [c.cpu, c.minKHz, c.maxKHz]));
    expect(bridge.results.map((r) => (r.ok ? [r.id, "ok"] : [r.id, r.error.code]))).toEqual([
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

  it("bridge.update is refused while one runs, which goes on to restart into its release", async () => {
    const server = await releaseServer("1.1.0");
    cleanups.push(() => server.close());
    const releases = new ReleaseDir(await mkdtemp(path.join(tmpdir(), "updater-")));
    await releases.install("1.0.0", path.join(import.meta.dirname, "exclusive.ts"));
    await releases.switchTo("1.0.0");
    let bridge!: Awaited<ReturnType<typeof bridgeOn>>;
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
      // As the bridge restarts: every running handler is stopped, then the process ends (here, never returns).
      restart: () => {
        bridge.dispatcher.abortAll();
        restarted();
        return new Promise<never>(() => undefined);
      },
      log: quiet,
    });
    bridge = await bridgeOn(await board(), { handlers: { ...handlers, "bridge.update": updater.handler } });

    // Never answered by this process: it restarts.
    void bridge.run("cmd-update01", "bridge.update", { version: "1.1.0" });
    await server.started(1);
    const second = bridge.run("cmd-update02", "bridge.update", { version: "1.1.0" });
    await Promise.race([second, server.started(2)]);
    server.sendRest();
    await restarting;

    expect(bridge.results).toEqual([busy("cmd-update02", "bridge.update is already changing the bridge version (command cmd-update01); try again when it has finished.")]);
    expect(await releases.linked("current")).toBe("1.1.0");
    expect(await releases.pending()).toMatchObject({ version: "1.1.0", from: "1.0.0" });
  });
});
