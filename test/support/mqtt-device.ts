import { type ProvisionedDevice, type TimedSample, topicFor, tunnelPath } from "@jetson/protocol";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import WebSocket from "ws";

/** MQTT 5 over WebSocket as the bridge speaks it, one WebSocket frame per MQTT packet (see shared notes on mqtt.js over ws), no reconnecting. */
export const WEBSOCKET_LINK: IClientOptions = {
  protocolVersion: 5,
  reconnectPeriod: 0,
  forceNativeWebSocket: true,
  createWebsocket: (url: string, protocols: string[]) => new WebSocket(url, protocols),
};

/** A device's side of the tunnel without a bridge: what tests and benchmarks publish is exactly what they choose. */
export async function connectDevice(baseUrl: string, device: ProvisionedDevice): Promise<MqttClient> {
  return mqtt.connectAsync(`${baseUrl.replace("http", "ws")}${tunnelPath(device.fleet, device.id)}`, {
    ...WEBSOCKET_LINK,
    clientId: device.id,
    username: device.id,
    password: device.token,
  });
}

/** Publishes samples as telemetry batches (QoS 1, each acknowledged before the next). */
export async function publishSamples(client: MqttClient, deviceId: string, samples: readonly TimedSample[], perBatch = 1000): Promise<void> {
  for (let i = 0; i < samples.length; i += perBatch) {
    await client.publishAsync(topicFor(deviceId, "telemetry"), JSON.stringify({ samples: samples.slice(i, i + perBatch) }), { qos: 1 });
  }
}

/** A sample shaped like an AGX Orin's, with the hottest sensor at `tempC` and the CPUs at `cpuPct`. */
export function orinSample(t: number, tempC: number, cpuPct: number): TimedSample {
  return {
    t,
    ram: { usedMB: 18_207, totalMB: 62_841 },
    swap: { usedMB: 86, totalMB: 31_420 },
    cpus: Array.from({ length: 12 }, () => ({ loadPct: cpuPct, freqMHz: 2188 })),
    gpu: { loadPct: Math.round(cpuPct / 2), freqMHz: 612 },
    emc: { loadPct: 3, freqMHz: 2133 },
    tempsC: { cpu: tempC, soc0: tempC - 3, soc1: tempC - 2.5, soc2: tempC - 4, tj: tempC },
    powerMW: { VDD_GPU_SOC: { now: 2412 + 40 * cpuPct }, VDD_CPU_CV: { now: 1607 + 30 * cpuPct }, VIN_SYS_5V0: { now: 4707 } },
    totalPowerMW: 8726 + 70 * cpuPct,
    disk: { usedMB: 21_000, totalMB: 57_000 },
  };
}
