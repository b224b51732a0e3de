import { DurableObject } from "cloudflare:workers";
import type { TimedSample } from "@jetson/protocol";
import { DeviceStore, LEDGER_SCHEMA, MAX_LEDGER_ROWS } from "../../worker/src/device/store.js";
import { AUDIT_LIMITS, dayOf } from "../../worker/src/audit/audit-days.js";
import { AUDIT_SHARD_SCHEMA, AuditTable } from "../../worker/src/audit/audit-table.js";
import { migrate } from "../../worker/src/sqlite-migrations.js";
import { MAX_RAW_ROWS, RETENTION_EVERY_MS } from "../../worker/src/telemetry/retention.js";
import { TELEMETRY_SCHEMA, TelemetryStore } from "../../worker/src/telemetry/telemetry-store.js";
import type { StorageFigure } from "./figure.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The simulated day starts here: every store is handed this clock, never the real one. */
const START = Date.UTC(2026, 0, 1);

interface Env {
  DAY: DurableObjectNamespace<StorageDay>;
}

/** A JetPack 6 AGX Orin sample with every field the bridge sends, varied a little per second. */
function orinSample(t: number, i: number): TimedSample {
  return {
    t,
    ram: { usedMB: 18_207 + (i % 97), totalMB: 62_841 },
    swap: { usedMB: 86, totalMB: 31_420 },
    cpus: Array.from({ length: 12 }, (_, c) => ({ loadPct: (i + c) % 100, freqMHz: 2_188 - (c % 3) * 100 })),
    gpu: { loadPct: i % 100, freqMHz: 1_300 },
    emc: { loadPct: 3, freqMHz: 2_133 },
    tempsC: { cpu: 52.5 + (i % 50) / 16, soc2: 48.4, soc0: 49.1, tj: 52.5 + (i % 50) / 16, soc1: 49.7 },
    powerMW: { VDD_GPU_SOC: { now: 2_412 + (i % 300), avg: 2_412 }, VDD_CPU_CV: { now: 1_607, avg: 1_607 }, VIN_SYS_5V0: { now: 4_707, avg: 4_707 } },
    totalPowerMW: 8_726 + (i % 300),
    fan: { pwmPct: 35 },
    disk: { usedMB: 21_000, totalMB: 57_000 },
  };
}

/** Arguments and a result of the size a container start has (environment, ports, the engine's answer). */
const ARGS = { image: "nvcr.io/nvidia/l4t-ml:r36.2.0-py3", name: "inference", env: { MODEL: "yolov8n", PORT: "8080", API_KEY: "x".repeat(32) }, ports: [{ containerPort: 8080, protocol: "tcp" }], gpu: true };
const RESULT = { ok: true, data: { id: "f".repeat(64), name: "inference", state: "running", warnings: [] }, startedAt: 0, endedAt: 0 };

/** One object per part, so each figure is that part's storage alone (databaseSize less the empty object's). */
export class StorageDay extends DurableObject<Env> {
  /** One device's command ledger after a day of one command every `everyMs`. */
  async ledger(everyMs: number): Promise<StorageFigure> {
    const store = new DeviceStore(this.ctx.storage.sql);
    migrate(this.ctx.storage, [LEDGER_SCHEMA]);
    return this.measure("commands", MAX_LEDGER_ROWS, (from, to) => {
      for (let t = from; t < to; t += everyMs) {
        const id = `cmd_${t.toString(36)}`;
        store.insertCommand({ id, action: "containers.run", args: ARGS, deadline: t + 60_000, requestedBy: "token:tok_benchmark1" }, t);
        store.markSent(id, t);
        store.finish(id, "succeeded", t + 800, { ...RESULT, id });
      }
    });
  }

  /** One fleet's audit trail after a day of `devices` devices each running a command every `everyMs`: that day's shard. */
  async audit(devices: number, everyMs: number): Promise<StorageFigure> {
    const log = new AuditTable(this.ctx.storage.sql, dayOf(START));
    migrate(this.ctx.storage, [AUDIT_SHARD_SCHEMA]);
    const step = everyMs / devices;
    return this.measure("audit", AUDIT_LIMITS.maxRowsPerDay, (from, to) => {
      for (let t = from, i = 0; t < to; t += step, i++) {
        const device = `jetson-${String(i % devices).padStart(3, "0")}`;
        const id = log.insert({ at: t, caller: "token:tok_benchmark1", device, action: "containers.run", args: ARGS, commandId: `cmd_${t.toString(36)}`, outcome: "pending", durationMs: 0 });
        log.trim(id, AUDIT_LIMITS.maxRowsPerDay);
        log.complete(id, { outcome: "succeeded", durationMs: 800 });
      }
    });
  }

  /** One device's telemetry after a day at 1 Hz, trimmed hourly as the device's alarm does. */
  async telemetry(): Promise<StorageFigure> {
    const store = new TelemetryStore(this.ctx.storage);
    migrate(this.ctx.storage, [TELEMETRY_SCHEMA]);
    // The bridge publishes every 5 s; the alarm trims every RETENTION_EVERY_MS (an hour).
    const batch = 5;
    return this.measure("samples", MAX_RAW_ROWS, (from, to) => {
      for (let t = from; t < to; t += batch * 1_000) {
        store.ingest(Array.from({ length: batch }, (_, j) => orinSample(t + j * 1_000, (t - START) / 1_000 + j)), t + batch * 1_000);
      }
      if ((to - START) % RETENTION_EVERY_MS === 0) store.expire(to);
    });
  }

  /** Runs `hour` for each hour of the day, each in one transaction, as a Durable Object commits an event's writes together. */
  private measure(table: string, maxRows: number, hour: (from: number, to: number) => void): StorageFigure {
    const before = this.ctx.storage.sql.databaseSize;
    for (let from = START; from < START + DAY; from += HOUR) this.ctx.storage.transactionSync(() => hour(from, from + HOUR));
    const rows = this.ctx.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).one().n;
    return { rows, bytes: this.ctx.storage.sql.databaseSize - before, maxRows };
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const param = (name: string) => Number(url.searchParams.get(name));
    const day = env.DAY.get(env.DAY.idFromName(`${url.pathname}:${crypto.randomUUID()}`));
    const parts: Record<string, () => Promise<StorageFigure>> = {
      "/ledger": () => day.ledger(param("everyMs")),
      "/audit": () => day.audit(param("devices"), param("everyMs")),
      "/telemetry": () => day.telemetry(),
    };
    const part = parts[url.pathname];
    return part ? Response.json(await part()) : new Response("Not found", { status: 404 });
  },
} satisfies ExportedHandler<Env>;
