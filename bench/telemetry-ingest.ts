import type { ProvisionedDevice, TelemetryBatch } from "@jetson/protocol";
import { topicFor } from "@jetson/protocol";
import { connectDevice } from "../test/support/mqtt-device.js";
import { round } from "./stats.js";

/** A sample with every field a JetPack 6 AGX Orin reports. */
const SAMPLE = {
  ram: { usedMB: 18207, totalMB: 62841 },
  swap: { usedMB: 86, totalMB: 31420 },
  cpus: Array.from({ length: 12 }, () => ({ loadPct: 14, freqMHz: 2188 })),
  gpu: { loadPct: 0, freqMHz: 0 },
  emc: { loadPct: 3, freqMHz: 2133 },
  tempsC: { cpu: 52.562, soc2: 48.437, soc0: 49.093, tj: 52.562, soc1: 49.656 },
  powerMW: { VDD_GPU_SOC: { now: 2412, avg: 2412 }, VDD_CPU_CV: { now: 1607, avg: 1607 }, VIN_SYS_5V0: { now: 4707, avg: 4707 } },
  totalPowerMW: 8726,
};

/** How many telemetry messages per second one device link pushes into its Durable Object (QoS 1, all acknowledged). */
export async function benchTelemetryIngest(baseUrl: string, device: ProvisionedDevice, messages: number) {
  const client = await connectDevice(baseUrl, device);
  const topic = topicFor(device.id, "telemetry");
  const payloads = Array.from({ length: messages }, (_, i) =>
    JSON.stringify({ samples: [{ ...SAMPLE, t: Date.now() + i }] } satisfies TelemetryBatch),
  );
  const start = performance.now();
  await Promise.all(payloads.map((payload) => client.publishAsync(topic, payload, { qos: 1 })));
  const seconds = (performance.now() - start) / 1000;
  await client.endAsync();
  return {
    messages,
    seconds: round(seconds),
    messagesPerSecond: round(messages / seconds, 0),
    bytesPerMessage: Math.round(payloads.reduce((sum, p) => sum + p.length, 0) / messages),
  };
}
