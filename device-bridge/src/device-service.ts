import path from "node:path";
import { type Channel, type ChannelMessage, topicFor, tunnelPath } from "@jetson/protocol";
import { handlers } from "./actions/index.js";
import { CommandJournal } from "./command-journal.js";
import type { BridgeConfig } from "./config.js";
import { readDeviceState } from "./device-state.js";
import { Dispatcher } from "./dispatcher.js";
import type { HostPort } from "./host/port.js";
import { MqttLink } from "./link/mqtt-link.js";
import { PublishRefused } from "./link/publish-refused.js";
import type { Logger } from "./log.js";
import { portTunnel } from "./tunnel/port-tunnel.js";
import { TelemetryBuffer } from "./telemetry/buffer.js";
import { TelemetryReporter, wirePublisher } from "./telemetry/reporter.js";
import type { TelemetrySource } from "./telemetry/source.js";
import { BRIDGE_VERSION } from "./version.js";
import type { Workloads } from "./workloads.js";
import type { BridgeUpdater } from "./update/updater.js";

/** Who a device is to the cloud. */
export type DeviceIdentity = Pick<BridgeConfig, "url" | "fleet" | "deviceId" | "token">;

/** Everything one device's service needs: the bridge's own device, or one reached over SSH. */
export interface DeviceService {
  config: DeviceIdentity & Pick<BridgeConfig, "keepaliveSeconds" | "reconnect" | "telemetry" | "stateDir"> & Partial<Pick<BridgeConfig, "tunnelPorts">>;
  host: HostPort;
  workloads: Workloads;
  /** The actions this device runs; the others are refused as not supported. */
  capabilities: ReadonlySet<string>;
  telemetrySource: TelemetrySource;
  log: Logger;
  /** This machine's own bridge updater; a device reached over SSH has none. */
  updater?: BridgeUpdater;
}

export interface RunningService {
  stop(): Promise<void>;
}

/** Connects one device to its Durable Object and serves its commands until stopped. */
export async function startDeviceService(service: DeviceService): Promise<RunningService> {
  const { config, host, log } = service;
  const journal = await CommandJournal.open(path.join(config.stateDir, "commands.jsonl"));
  const publish = <C extends Channel>(channel: C, message: ChannelMessage<C>) =>
    link.publish(topicFor(config.deviceId, channel), JSON.stringify(message));
  const { updater } = service;
  // Commands' messages are fire and forget here: mqtt.js resends them across reconnects until acknowledged.
  const send = <C extends Channel>(channel: C, message: ChannelMessage<C>) => {
    publish(channel, message).catch((error: Error) => {
      if (error instanceof PublishRefused) log.warn(`the cloud refused a ${channel} message: ${error.message}`);
      else log.debug(() => `${channel} message not delivered: ${error.message}`);
    });
  };
  const reportState = () =>
    readDeviceState(host, service.capabilities)
      .then((state) => send("state", updater?.lastUpdate ? { ...state, update: updater.lastUpdate } : state))
      .catch((error: Error) => log.warn(`could not read device state: ${error.message}`));
  const dispatcher = new Dispatcher({
    handlers: updater ? { ...handlers, "bridge.update": updater.handler } : handlers,
    journal,
    host,
    stateDir: config.stateDir,
    bridgeVersion: BRIDGE_VERSION,
    workloads: service.workloads,
    capabilities: service.capabilities,
    send,
    reportState,
    resume: updater && ((command) => updater.resume(command)),
    log,
  });
  const source = service.telemetrySource;
  const telemetry = new TelemetryReporter({
    sample: () => source.sample(),
    buffer: new TelemetryBuffer(config.telemetry.buffer),
    publish: wirePublisher(async (payload) => {
      const accepted = await link.publish(topicFor(config.deviceId, "telemetry"), payload);
      // A release on trial passes its health check here; its state then carries the update's record.
      if (updater && (await updater.telemetryDelivered())) void reportState();
      return accepted;
    }),
    link: () => ({ connected: link.connected, maxPacketBytes: link.maxPacketBytes }),
    sampleMs: config.telemetry.sampleMs,
    batchMs: config.telemetry.batchMs,
    maxBatchBytes: config.telemetry.maxBatchBytes,
    log,
  });
  const ports = portTunnel(config.tunnelPorts ?? [], topicFor(config.deviceId, "port-down"), (frame) => link.publishOnce(topicFor(config.deviceId, "port-up"), frame), log);
  const link: MqttLink = new MqttLink({
    url: tunnelUrl(config),
    clientId: config.deviceId,
    username: config.deviceId,
    password: config.token,
    keepaliveSeconds: config.keepaliveSeconds,
    reconnect: config.reconnect,
    will: { topic: topicFor(config.deviceId, "status"), payload: JSON.stringify({ online: false }) },
    subscribe: [topicFor(config.deviceId, "command"), topicFor(config.deviceId, "cancel")],
    subscribeOptional: ports.topics,
    log,
    onCloudClock: (cloudNow) => dispatcher.cloudClock(cloudNow),
    onConnect: () => {
      // The state first, then what waited in the buffer while the link was down, oldest first.
      void reportState().finally(() => void telemetry.flush());
    },
    onClose: () => ports.linkLost(),
    onMessage: (topic, payload) => {
      if (topic === topicFor(config.deviceId, "port-down")) return ports.receive(payload);
      if (topic === topicFor(config.deviceId, "cancel")) return dispatcher.cancel(payload);
      if (topic !== topicFor(config.deviceId, "command")) return;
      dispatcher.handle(payload).catch((error: Error) => log.error(`command handling failed: ${error.message}`));
    },
  });
  link.start();
  telemetry.start();
  return {
    stop: async () => {
      telemetry.stop();
      source.stop();
      // The stopped commands' answers go out before the link ends.
      await dispatcher.abortAll();
      ports.linkLost();
      await link.stop();
    },
  };
}

function tunnelUrl(config: DeviceIdentity): string {
  const url = new URL(tunnelPath(config.fleet, config.deviceId), config.url);
  url.protocol = url.protocol === "https:" || url.protocol === "wss:" ? "wss:" : "ws:";
  return url.toString();
}
