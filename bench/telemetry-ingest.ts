import { encodeTelemetryBatch, type ProvisionedDevice, topicFor } from "@jetson/protocol";
import mqtt, { type MqttClient } from "mqtt";
import type { LocalWorker } from "../scripts/local-stack.js";
import { type LocalMosquitto, startMosquitto } from "../scripts/mosquitto.js";
import { connectDevice, WEBSOCKET_LINK } from "../test/support/mqtt-device.js";
import { busyOrinSample } from "./orin-sample.js";
import { round } from "./stats.js";
import { storedSamples } from "./stored-samples.js";

/** Unacknowledged publishes at once, on both sides: mosquitto's default receive maximum (max_inflight_messages). */
const WINDOW = 20;
const MOSQUITTO_TOPIC = "bench/telemetry";
/** How long the subscriber may lag the last acknowledged publish before the run counts messages as lost. */
const DELIVERY_GRACE_MS = 30_000;

/** Publishes every payload at QoS 1 (as the bridge does), at most `WINDOW` unacknowledged; resolves once all are acknowledged. */
async function publishWindowed(client: MqttClient, topic: string, payloads: readonly Uint8Array[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: WINDOW }, async () => {
      for (let i = next++; i < payloads.length; i = next++) await client.publishAsync(topic, Buffer.from(payloads[i] as Uint8Array), { qos: 1 });
    }),
  );
}

/** The device link into its Durable Object: from the first publish to the last PUBACK, which the object sends once the batch is stored. */
async function intoWorker(worker: LocalWorker, device: ProvisionedDevice, payloads: readonly Uint8Array[]) {
  const client = await connectDevice(worker.url, device);
  const began = performance.now();
  await publishWindowed(client, topicFor(device.id, "telemetry"), payloads);
  const seconds = (performance.now() - began) / 1000;
  await client.endAsync();
  return { seconds, device: device.id };
}

/** The same stream through mosquitto to one subscriber (QoS 1): from the first publish to the last message delivered. */
async function throughMosquitto(broker: LocalMosquitto, payloads: readonly Uint8Array[]) {
  const link = { ...WEBSOCKET_LINK, username: broker.username, password: broker.password };
  const subscriber = await mqtt.connectAsync(broker.url, { ...link, clientId: "bench-subscriber" });
  await subscriber.subscribeAsync(MOSQUITTO_TOPIC, { qos: 1 });
  const publisher = await mqtt.connectAsync(broker.url, { ...link, clientId: "bench-publisher" });
  let received = 0;
  let delivered = () => {};
  const all = new Promise<void>((resolve) => (delivered = resolve));
  subscriber.on("message", () => {
    if (++received === payloads.length) delivered();
  });
  try {
    const began = performance.now();
    await publishWindowed(publisher, MOSQUITTO_TOPIC, payloads);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, DELIVERY_GRACE_MS)));
    await Promise.race([all, late]);
    clearTimeout(timer);
    return { seconds: (performance.now() - began) / 1000, received };
  } finally {
    await Promise.all([publisher.endAsync(), subscriber.endAsync()]);
  }
}

/**
 * Telemetry ingest into one device's Durable Object beside mosquitto forwarding the same stream:
 * the same encoded payloads (the bridge's wire version 2, `perBatch` samples a second apart per
 * message), the same publisher code, QoS 1 and in-flight window. The Worker's rate counts messages
 * acknowledged, each acknowledged only once stored, and the stored samples are counted afterwards
 * through the REST telemetry API; mosquitto's counts messages delivered to its subscriber. Also the
 * bytes a sample costs in version 2 and in the previous version 1 (JSON).
 */
async function sideBySide(worker: LocalWorker, broker: LocalMosquitto, device: ProvisionedDevice, messages: number, perBatch: number) {
  const start = Date.now() - messages * perBatch * 1_000;
  const batches = Array.from({ length: messages }, (_, m) => ({
    samples: Array.from({ length: perBatch }, (_, s) => busyOrinSample(start + (m * perBatch + s) * 1_000, m * perBatch + s)),
  }));
  const payloads = await Promise.all(batches.map((batch) => encodeTelemetryBatch(batch)));
  const json = batches.map((batch) => Buffer.byteLength(JSON.stringify(batch)));
  const samples = messages * perBatch;

  const ingest = await intoWorker(worker, device, payloads);
  const stored = await storedSamples(worker, device.id, start, start + samples * 1_000);
  const forward = await throughMosquitto(broker, payloads);
  if (stored !== samples) throw new Error(`the device object stored ${stored} of ${samples} acknowledged samples`);
  if (forward.received !== messages) throw new Error(`mosquitto delivered ${forward.received} of ${messages} messages`);

  const rates = (seconds: number) => ({ seconds: round(seconds), messagesPerSecond: round(messages / seconds, 0), samplesPerSecond: round(samples / seconds, 0) });
  const perSample = (bytes: number) => Math.round(bytes / samples);
  return {
    messages,
    samplesPerMessage: perBatch,
    inFlightWindow: WINDOW,
    "Worker: acknowledged and stored": { ...rates(ingest.seconds), samplesStored: stored },
    "mosquitto: delivered to the subscriber": { ...rates(forward.seconds), messagesReceived: forward.received },
    "Worker / mosquitto": round(forward.seconds / ingest.seconds),
    bytesPerSample: perSample(payloads.reduce((sum, p) => sum + p.length, 0)),
    bytesPerSampleVersion1: perSample(json.reduce((sum, n) => sum + n, 0)),
  };
}

/** Both batch sizes a bridge sends, beside a mosquitto of their own (started here, stopped after). */
export async function benchTelemetryIngest(worker: LocalWorker, mosquittoDir: string, messages: number) {
  const broker = await startMosquitto(mosquittoDir);
  try {
    return {
      "1 sample per message": await sideBySide(worker, broker, await worker.provision("bench-telemetry"), messages, 1),
      "5 samples per message (1 Hz, 5 s batches)": await sideBySide(worker, broker, await worker.provision("bench-telemetry-5"), messages, 5),
    };
  } finally {
    await broker.stop();
  }
}
