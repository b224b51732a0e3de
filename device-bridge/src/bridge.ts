import { catalogue } from "@jetson/protocol";
import { handlers } from "./actions/index.js";
import type { BridgeConfig } from "./config.js";
import { type RunningService, startDeviceService } from "./device-service.js";
import { NodeHost } from "./host/node-host.js";
import { thisBridgeHelper } from "./host/privileged.js";
import type { SshConnection } from "./host/ssh-connection.js";
import { createLogger } from "./log.js";
import { Sampler } from "./telemetry/sampler.js";
import { createWorkloads } from "./workloads.js";
import { ReleaseDir } from "./update/release-dir.js";
import { RELEASES_DIR_VARIABLE, UPDATE_EXIT_CODE } from "./update/launcher-contract.js";
import { BridgeUpdater } from "./update/updater.js";
import { BRIDGE_VERSION } from "./version.js";

export interface RunningBridge {
  stop(): Promise<void>;
}

/** Serves this machine as its device, and each Jetson configured for gateway mode over SSH as a device of its own. */
export async function startBridge(config: BridgeConfig, env: NodeJS.ProcessEnv = process.env): Promise<RunningBridge> {
  const host = new NodeHost({
    root: config.root,
    programDirs: config.programDirs,
    defaultTimeoutMs: config.limits.runTimeoutMs,
    defaultMaxOutputBytes: config.limits.maxOutputBytes,
    sudo: { ...config.sudo, helper: thisBridgeHelper() },
  });
  const workloads = createWorkloads(config);
  const log = createLogger(`bridge:${config.deviceId}`);
  const releasesDir = env[RELEASES_DIR_VARIABLE];
  const updater = await BridgeUpdater.open({
    identity: config,
    updateKey: config.updateKey,
    releases: releasesDir ? new ReleaseDir(releasesDir) : undefined,
    running: BRIDGE_VERSION,
    platform: process.platform,
    arch: process.arch,
    handlers,
    // The launcher starts the new `current` when this process ends with UPDATE_EXIT_CODE.
    restart: async () => {
      await stop();
      return process.exit(UPDATE_EXIT_CODE);
    },
    log,
  });
  const services: RunningService[] = [
    await startDeviceService({
      config,
      host,
      workloads,
      capabilities: new Set(catalogue.map((action) => action.name)),
      telemetrySource: new Sampler(host, config.telemetry.sampleMs),
      log,
      updater,
    }),
  ];
  const connections: SshConnection[] = [];
  async function stop(): Promise<void> {
    await Promise.all(services.map((service) => service.stop()));
    for (const connection of connections) connection.close();
  }
  try {
    // SSH (ssh2, with its 16 MiB WebAssembly heap) loads only for a bridge that serves Jetsons in gateway mode.
    if (config.gateway.length > 0) {
      const { gatewayService } = await import("./gateway.js");
      for (const device of config.gateway) {
        const { service, connection } = await gatewayService(config, device, workloads, env);
        connections.push(connection);
        services.push(await startDeviceService(service));
      }
    }
  } catch (error) {
    // A device it cannot serve (its key unreadable, its journal damaged) fails the start, so systemd says so
    // and starts it again: what started already stops, or the process would run on without that device.
    await stop();
    throw error;
  }
  return { stop };
}
