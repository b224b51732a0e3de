import { type Command, type FleetRun, type ProvisionedDevice, topicFor } from "@jetson/protocol";
import type { MqttClient } from "mqtt";
import type { LocalWorker } from "../scripts/local-stack.js";
import { connectDevice } from "../test/support/mqtt-device.js";
import { latencies, round } from "./stats.js";
import { inParallel } from "./in-parallel.js";

const PREFIX = "fleetrun-";
const PARALLEL = 10;

/** A device link that answers every command at once, as a bridge does: ack, then a result. */
async function answeringDevice(worker: LocalWorker, device: ProvisionedDevice): Promise<MqttClient> {
  const client = await connectDevice(worker.url, device);
  const publish = (channel: "ack" | "result" | "state", message: unknown) =>
    void client.publishAsync(topicFor(device.id, channel), JSON.stringify(message), { qos: 1 }).catch(() => undefined);
  client.on("message", (_topic, payload) => {
    const command = JSON.parse(payload.toString()) as Command;
    const startedAt = Date.now();
    publish("ack", { id: command.id });
    publish("result", { id: command.id, ok: true, data: { pong: true, at: startedAt, bridgeVersion: "bench" }, startedAt, endedAt: Date.now() });
  });
  await client.subscribeAsync(topicFor(device.id, "command"), { qos: 1 });
  publish("state", { hostname: device.id, board: "NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super", jetpack: "6.2", bridgeVersion: "bench", capabilities: [] });
  return client;
}

async function runToEnd(worker: LocalWorker, concurrency: number): Promise<FleetRun> {
  const started = await worker.api<FleetRun>("/api/runs", {
    method: "POST",
    body: JSON.stringify({ selector: `id:${PREFIX}*`, action: "system.ping", concurrency, canary: { count: 5 } }),
  });
  for (;;) {
    const run = await worker.api<FleetRun>(`/api/runs/${started.id}`);
    if (run.state !== "running") return run;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A fleet run of system.ping over `devices` device links held by this one process
 * (100 bridge processes would not fit two cores), 5 canaries first, at each
 * concurrency limit: time from the run's creation to its end, as the run records it.
 */
export async function benchFleetRun(worker: LocalWorker, devices: number, concurrencies: readonly number[]) {
  const ids = Array.from({ length: devices }, (_, i) => `${PREFIX}${String(i).padStart(3, "0")}`);
  const provisioned = await inParallel(ids, PARALLEL, (id) => worker.provision(id));
  const connectStart = performance.now();
  const clients = await inParallel(provisioned, PARALLEL, (device) => answeringDevice(worker, device));
  const connectSeconds = (performance.now() - connectStart) / 1000;
  try {
    const runs: Record<string, unknown> = {};
    for (const concurrency of concurrencies) {
      const run = await runToEnd(worker, concurrency);
      const seconds = ((run.endedAt ?? Date.now()) - run.createdAt) / 1000;
      const perDevice = run.devices.flatMap((d) => (d.startedAt !== undefined && d.endedAt !== undefined ? [d.endedAt - d.startedAt] : []));
      runs[`concurrency ${concurrency}`] = {
        state: run.state,
        succeeded: run.counts.succeeded,
        seconds: round(seconds),
        devicesPerSecond: round(devices / seconds, 1),
        "per device (command through Fleet, audit included)": latencies(perDevice),
      };
    }
    return { devices, action: "system.ping", canaries: 5, connectSeconds: round(connectSeconds), ...runs };
  } finally {
    await Promise.all(clients.map((client) => client.endAsync()));
  }
}
