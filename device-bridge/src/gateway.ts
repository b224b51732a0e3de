import { readFile } from "node:fs/promises";
import path from "node:path";
import { catalogue } from "@jetson/protocol";
import type { BridgeConfig, GatewayDevice } from "./config.js";
import type { DeviceService } from "./device-service.js";
import { SshConnection } from "./host/ssh-connection.js";
import { SshHost } from "./host/ssh-host.js";
import { createLogger } from "./log.js";
import { TegrastatsSource } from "./telemetry/tegrastats-source.js";
import type { Workloads } from "./workloads.js";

/**
 * Containers and models live on the machine the bridge runs on; a Jetson reached
 * over SSH has neither here, so those actions are refused for it.
 */
const LOCAL_ONLY = /^(containers|ai)\./;
export const GATEWAY_CAPABILITIES: ReadonlySet<string> = new Set(catalogue.map((a) => a.name).filter((name) => !LOCAL_ONLY.test(name)));

/** One SSH-reached Jetson as a device service: its own identity, a kept-open connection, tegrastats telemetry. */
export async function gatewayService(
  bridge: BridgeConfig,
  device: GatewayDevice,
  workloads: Workloads,
  env: NodeJS.ProcessEnv,
): Promise<{ service: DeviceService; connection: SshConnection }> {
  const log = createLogger(`gateway:${device.deviceId}`);
  const { ssh } = device;
  const connection = new SshConnection(
    {
      host: ssh.host,
      port: ssh.port,
      username: ssh.username,
      privateKey: ssh.privateKeyFile ? await readFile(ssh.privateKeyFile, "utf8") : undefined,
      password: ssh.passwordEnv ? env[ssh.passwordEnv] : undefined,
      hostKeysSha256: [ssh.hostKeySha256],
    },
    log,
    bridge.reconnect,
  );
  const host = new SshHost({
    connection,
    root: device.root,
    programDirs: device.programDirs,
    defaultTimeoutMs: bridge.limits.runTimeoutMs,
    defaultMaxOutputBytes: bridge.limits.maxOutputBytes,
    sudo: device.sudo,
  });
  return {
    connection,
    service: {
      config: {
        url: bridge.url,
        fleet: bridge.fleet,
        deviceId: device.deviceId,
        token: device.token,
        keepaliveSeconds: bridge.keepaliveSeconds,
        reconnect: bridge.reconnect,
        telemetry: bridge.telemetry,
        stateDir: path.join(bridge.stateDir, "gateway", device.deviceId),
      },
      host,
      workloads,
      capabilities: GATEWAY_CAPABILITIES,
      telemetrySource: new TegrastatsSource(host, bridge.telemetry.sampleMs, log),
      log,
    },
  };
}
