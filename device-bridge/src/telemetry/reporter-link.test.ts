import { decodeTelemetryPayload, TELEMETRY_WIRE_VERSION, type TelemetryBatch, type TelemetrySample } from "@jetson/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { MqttLink } from "../link/mqtt-link.js";
import { type ReceivedPublish, ScriptedBroker } from "../link/scripted-broker.js";
import { TelemetryBuffer } from "./buffer.js";
import { TelemetryReporter, wirePublisher } from "./reporter.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const TOPIC = "jetson/dev/telemetry";

/** Which samples (numbered by the sampler) a publish carried. */
const numbers = async (publish: ReceivedPublish) => ((await decodeTelemetryPayload(publish.bytes)) as TelemetryBatch).samples.map((s) => s.ram?.usedMB);

describe("the telemetry reporter on a real MQTT link", () => {
  let broker: ScriptedBroker;
  let stop: () => Promise<void> = async () => undefined;
  afterEach(async () => {
    await stop();
    await broker.close();
  });

  it("delivers the batch in flight when the link dropped after reconnecting, then everything sampled since, none lost", async () => {
    broker = await ScriptedBroker.start();
    let taken = 0;
    const sample = async (): Promise<TelemetrySample> => ({ ram: { usedMB: taken++, totalMB: 8_000 } });
    const reporter: TelemetryReporter = new TelemetryReporter({
      sample,
      buffer: new TelemetryBuffer({ fullResolutionMs: 600_000, thinnedIntervalMs: 60_000, maxSamples: 5_000 }),
      publish: wirePublisher((payload) => link.publish(TOPIC, payload)),
      link: () => ({ connected: link.connected }),
      sampleMs: 20,
      batchMs: 20,
      maxBatchBytes: 256 * 1024,
      log: quiet,
    });
    const link: MqttLink = new MqttLink({
      url: broker.url,
      clientId: "dev",
      username: "dev",
      password: "secret",
      keepaliveSeconds: 60,
      reconnect: { minMs: 10, maxMs: 10 },
      will: { topic: "jetson/dev/status", payload: "{}" },
      subscribe: ["jetson/dev/command"],
      log: quiet,
      // As the device service does: what waited in the buffer goes once the link is back.
      onConnect: () => void reporter.flush(),
      onMessage() {},
    });
    stop = async () => {
      reporter.stop();
      await link.stop();
    };
    // The cloud goes away with the first batch unacknowledged.
    broker.answer = () => "hold";
    link.start();
    reporter.start();
    const inFlight = await broker.publishWhere(() => true);
    broker.answer = () => ({ reasonCode: 0 });
    broker.dropConnections();
    const sampledDuringOutage = taken;

    const deliveredOn2 = async () => (await Promise.all(broker.publishes.filter((p) => p.connection === 2).map(numbers))).flat();
    await expect.poll(async () => (await deliveredOn2()).some((n) => n !== undefined && n > sampledDuringOutage), { timeout: 10_000 }).toBe(true);
    const afterReconnect = broker.publishes.filter((p) => p.connection === 2);
    expect(afterReconnect[0]?.payload).toBe(inFlight.payload);
    // Every batch goes in the newest wire encoding, which the version byte names.
    expect(broker.publishes.map((p) => p.bytes[0])).toEqual(broker.publishes.map(() => TELEMETRY_WIRE_VERSION));
    const delivered = await deliveredOn2();
    expect(delivered).toEqual(Array.from({ length: delivered.length }, (_, i) => i));
  });
});
