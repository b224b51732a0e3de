import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { AlertThresholdsSchema } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { DEVICE_SCHEMAS, DeviceObject } from "../src/device/device-object.js";
import { QUEUE_SCHEMA, QueueStore } from "../src/device/queue-store.js";
import { DeviceStore, LEDGER_SCHEMA } from "../src/device/store.js";
import { FleetRunObject } from "../src/fleet-ops/run-object.js";
import { RUN_SCHEMA, RunStore } from "../src/fleet-ops/run-store.js";
import { REGISTRY_SCHEMAS, RegistryObject } from "../src/registry/registry-object.js";
import { TokenTable } from "../src/registry/token-table.js";
import type { DeviceFilter } from "../src/registry/device-query.js";
import { DEVICES_SCHEMA } from "../src/registry/device-table.js";
import { parseSelector } from "../src/fleet-ops/selector.js";
import { migrate, MigrationError, type Schema, schemaVersion } from "../src/sqlite-migrations.js";
import { AlertStore } from "../src/telemetry/alert-store.js";

const NOW = Date.UTC(2026, 11, 1);

/** A device's tables exactly as the release before versioned schemas created them. */
const PREVIOUS_DEVICE_TABLES = `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE commands (
    id TEXT PRIMARY KEY, action TEXT NOT NULL, args TEXT NOT NULL, requested_by TEXT NOT NULL, deadline INTEGER NOT NULL,
    state TEXT NOT NULL, created_at INTEGER NOT NULL, sent_at INTEGER, acked_at INTEGER, ended_at INTEGER, result TEXT
  );
  CREATE INDEX commands_open ON commands (state, deadline);
  CREATE INDEX commands_created ON commands (created_at);
  CREATE TABLE samples (t INTEGER PRIMARY KEY, sample TEXT NOT NULL);
  CREATE TABLE rollups (
    minute INTEGER NOT NULL, metric TEXT NOT NULL, min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (minute, metric)
  ) WITHOUT ROWID;
  CREATE TABLE alerts (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, since INTEGER NOT NULL, cleared_at INTEGER, value REAL NOT NULL, message TEXT NOT NULL);
  CREATE UNIQUE INDEX alerts_active ON alerts (kind) WHERE cleared_at IS NULL;
  CREATE TABLE alert_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE alarm_duties (name TEXT PRIMARY KEY, due INTEGER NOT NULL);
  CREATE TABLE queued_commands (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, timeout_ms INTEGER NOT NULL);
  CREATE TABLE desired_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** A fleet's tables as a release before audit rows named their command created them (the audit table without command_id). */
const PREVIOUS_REGISTRY_TABLES = `
  CREATE TABLE devices (id TEXT PRIMARY KEY, summary TEXT NOT NULL);
  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, scopes TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER);
  CREATE TABLE enrollments (hash TEXT PRIMARY KEY, device TEXT NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER);
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, caller TEXT NOT NULL, device TEXT NOT NULL,
    action TEXT NOT NULL, args TEXT NOT NULL, outcome TEXT NOT NULL, error TEXT, duration_ms INTEGER NOT NULL);
  CREATE INDEX audit_at ON audit (at);
  CREATE TABLE dashboard_sessions (hash TEXT PRIMARY KEY, token_id TEXT NOT NULL, scopes TEXT NOT NULL, expires_at INTEGER NOT NULL);
  CREATE TABLE desired_rules (selector TEXT PRIMARY KEY, terms TEXT NOT NULL, state TEXT NOT NULL, updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL);
  CREATE TABLE fleet_runs (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, brief TEXT NOT NULL);
`;

/** Every table's definition and rows, workerd's own `_cf_` tables aside: equal dumps mean nothing changed. */
function dump(sql: SqlStorage): Record<string, unknown> {
  const objects = sql
    .exec<{ type: string; name: string; sql: string | null }>(
      "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name <> 'sqlite_sequence' ORDER BY name",
    )
    .toArray();
  const rows = objects.filter((o) => o.type === "table").map((o) => [o.name, sql.exec(`SELECT * FROM "${o.name}"`).toArray()]);
  return { objects, rows: Object.fromEntries(rows) };
}

/** Each table's columns, as `name type`: what a migrated object and a new one must agree on. */
function columns(sql: SqlStorage): Record<string, string[]> {
  const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'").toArray();
  return Object.fromEntries(
    tables.map(({ name }) => [
      name,
      sql.exec<{ name: string; type: string }>("SELECT name, type FROM pragma_table_info(?)", name).toArray().map((c) => `${c.name} ${c.type}`),
    ]),
  );
}

const versions = (schemas: readonly Schema[]) => Object.fromEntries(schemas.map((s) => [s.name, s.migrations.length]));

function recorded(sql: SqlStorage): Record<string, number> {
  const rows = sql.exec<{ schema: string; version: number }>("SELECT schema, version FROM _migrations").toArray();
  return Object.fromEntries(rows.map((r) => [r.schema, r.version]));
}

const scratch = (name: string) => env.DEVICE.get(env.DEVICE.idFromName(`migrations/${name}`));

describe("the migration runner", () => {
  /** Each step appends its number to `steps`, so the order and count of runs can be read back. */
  const logged = (n: number): Schema => ({
    name: "logged",
    migrations: [
      "CREATE TABLE steps (n INTEGER NOT NULL)",
      ...Array.from({ length: n - 1 }, (_, i) => `INSERT INTO steps (n) VALUES (${i + 2})`),
    ],
  });
  const steps = (sql: SqlStorage) => sql.exec<{ n: number }>("SELECT n FROM steps ORDER BY rowid").toArray().map((r) => r.n);

  it("runs each step once, in order, and only the steps added since the last start", async () => {
    await runInDurableObject(scratch("order"), (_object, state) => {
      migrate(state.storage, [logged(3)]);
      migrate(state.storage, [logged(3)]);
      expect(steps(state.storage.sql)).toEqual([2, 3]);
      expect(schemaVersion(state.storage.sql, "logged")).toBe(3);

      migrate(state.storage, [logged(5)]);
      expect(steps(state.storage.sql)).toEqual([2, 3, 4, 5]);
      expect(schemaVersion(state.storage.sql, "logged")).toBe(5);
    });
  });

  it("rolls a failing step back, names it, keeps the steps before it, and runs it again at the next start", async () => {
    await runInDurableObject(scratch("failing"), (_object, state) => {
      const sql = state.storage.sql;
      const first = "CREATE TABLE kept (n INTEGER NOT NULL)";
      const failing: Schema = {
        name: "failing",
        migrations: [
          first,
          (s) => {
            s.exec("INSERT INTO kept (n) VALUES (2)");
            s.exec("ALTER TABLE kept ADD COLUMN n TEXT");
          },
        ],
      };
      const thrown = (() => {
        try {
          migrate(state.storage, [failing]);
        } catch (error) {
          return error;
        }
      })();
      expect(thrown).toBeInstanceOf(MigrationError);
      expect(thrown).toMatchObject({ schema: "failing", step: 2 });
      expect((thrown as Error).message).toMatch(/^schema "failing" migration 2 failed: .*duplicate column name: n/);
      expect(sql.exec("SELECT n FROM kept").toArray()).toEqual([]);
      expect(schemaVersion(sql, "failing")).toBe(1);

      migrate(state.storage, [{ name: "failing", migrations: [first, "INSERT INTO kept (n) VALUES (2)"] }]);
      expect(sql.exec("SELECT n FROM kept").toArray()).toEqual([{ n: 2 }]);
      expect(schemaVersion(sql, "failing")).toBe(2);
    });
  });

  it("leaves an object a newer release migrated further as it is", async () => {
    await runInDurableObject(scratch("newer"), (_object, state) => {
      migrate(state.storage, [logged(4)]);
      const before = dump(state.storage.sql);
      migrate(state.storage, [logged(2)]);
      expect(dump(state.storage.sql)).toEqual(before);
    });
  });
});

describe("objects written before schemas had versions", () => {
  it("a device keeps its identity, tags, ledger and thresholds, records each schema's version, and has a new device's tables", async () => {
    const fresh = await runInDurableObject(scratch("fresh-device"), (_object, state) => {
      migrate(state.storage, DEVICE_SCHEMAS);
      return columns(state.storage.sql);
    });
    await runInDurableObject(env.DEVICE.get(env.DEVICE.idFromName("old-fleet/old-device")), async (_object, state) => {
      const sql = state.storage.sql;
      sql.exec(PREVIOUS_DEVICE_TABLES);
      const old = new DeviceStore(sql);
      old.setIdentity({ fleet: "old-fleet", deviceId: "old-device", credentialHash: "h" });
      old.setTags(["warehouse"]);
      sql.exec("INSERT INTO commands (id, action, args, requested_by, deadline, state, created_at) VALUES ('cmd_old', 'system.ping', '{}', 'token:t', ?, 'queued', ?)", NOW + 60_000, NOW);
      old.finish("cmd_old", "succeeded", NOW + 5, { id: "cmd_old", ok: true, data: { pong: true }, startedAt: NOW, endedAt: NOW + 5 });
      const thresholds = AlertThresholdsSchema.parse({ temperatureC: { raise: 70, clear: 65 } });
      new AlertStore(sql).setThresholds(thresholds);

      const started = new DeviceObject(state, env);
      await state.blockConcurrencyWhile(async () => undefined);

      expect(await started.summary()).toMatchObject({ id: "old-device", fleet: "old-fleet", tags: ["warehouse"] });
      expect(await started.commands(10)).toMatchObject([{ id: "cmd_old", action: "system.ping", state: "succeeded" }]);
      const detail = JSON.parse((await started.commandDetail("cmd_old")) ?? "{}") as Record<string, unknown>;
      expect(detail).toMatchObject({ state: "succeeded", outcome: { ok: true } });
      expect(detail).not.toHaveProperty("progress");
      expect((await started.alerts()).thresholds).toEqual(thresholds);
      expect(recorded(sql)).toEqual(versions(DEVICE_SCHEMAS));
      expect(columns(sql)).toEqual(fresh);

      const migrated = dump(sql);
      new DeviceObject(state, env);
      await state.blockConcurrencyWhile(async () => undefined);
      expect(dump(sql)).toEqual(migrated);
    });
  });

  it("a fleet keeps its devices, tokens and audit trail, its audit rows gain the command column, and it gains the index of audit days", async () => {
    const fresh = await runInDurableObject(scratch("fresh-fleet"), (_object, state) => {
      migrate(state.storage, REGISTRY_SCHEMAS);
      return columns(state.storage.sql);
    });
    await runInDurableObject(env.REGISTRY.get(env.REGISTRY.idFromName("old-fleet")), async (_object, state) => {
      const sql = state.storage.sql;
      sql.exec(PREVIOUS_REGISTRY_TABLES);
      sql.exec("INSERT INTO devices (id, summary) VALUES ('old-device', ?)", JSON.stringify({ id: "old-device", fleet: "old-fleet", online: false, lastSeen: NOW }));
      new TokenTable(sql).insert("tok_old", "old", "hash-old", ["read"], NOW);
      sql.exec("INSERT INTO audit (at, caller, device, action, args, outcome, duration_ms) VALUES (?, 'token:tok_old', 'old-device', 'system.ping', '{}', 'succeeded', 3)", NOW);

      const started = new RegistryObject(state, env);
      await state.blockConcurrencyWhile(async () => undefined);

      expect((await started.list({ filter: {}, limit: 10 })).devices.map((d) => d.id)).toEqual(["old-device"]);
      expect(await started.checkToken("hash-old", 0)).toEqual({ ok: true, id: "tok_old", scopes: ["read"] });
      expect(await started.legacyAuditPage({ limit: 10 })).toMatchObject([{ id: 1, device: "old-device", outcome: "succeeded", durationMs: 3, commandId: undefined }]);
      const today = Math.floor(Date.now() / 86_400_000);
      await started.noteAuditDay(today);
      expect((await started.auditIndex()).days).toEqual([today]);
      expect(recorded(sql)).toEqual(versions(REGISTRY_SCHEMAS));
      expect(columns(sql)).toEqual(fresh);

      const migrated = dump(sql);
      new RegistryObject(state, env);
      await state.blockConcurrencyWhile(async () => undefined);
      expect(dump(sql)).toEqual(migrated);
    });
  });
});

describe("a device's ledger written before it kept audit ids", () => {
  it("keeps its commands, gains the audit column (empty for them), and keeps the audit id of each command from then on", async () => {
    const fresh = await runInDurableObject(scratch("fresh-ledger"), (_object, state) => {
      migrate(state.storage, DEVICE_SCHEMAS);
      return columns(state.storage.sql);
    });
    await runInDurableObject(env.DEVICE.get(env.DEVICE.idFromName("old-fleet/old-ledger")), async (_object, state) => {
      const sql = state.storage.sql;
      const before = DEVICE_SCHEMAS.map((schema) => (schema === LEDGER_SCHEMA ? { ...schema, migrations: schema.migrations.slice(0, 4) } : schema));
      migrate(state.storage, before);
      const old = new DeviceStore(sql);
      old.setIdentity({ fleet: "old-fleet", deviceId: "old-ledger", credentialHash: "h" });
      sql.exec("INSERT INTO commands (id, action, args, requested_by, deadline, state, created_at) VALUES ('cmd_old', 'system.ping', '{}', 'token:t', ?, 'sent', ?)", NOW + 60_000, NOW);

      const started = new DeviceObject(state, env);
      await state.blockConcurrencyWhile(async () => undefined);

      expect(schemaVersion(sql, LEDGER_SCHEMA.name)).toBe(LEDGER_SCHEMA.migrations.length);
      expect(columns(sql)).toEqual(fresh);
      expect(await started.commands(10)).toMatchObject([{ id: "cmd_old", action: "system.ping", state: "sent" }]);
      const store = new DeviceStore(sql);
      expect(store.auditId("cmd_old")).toBeUndefined();
      store.insertCommand({ id: "cmd_new", action: "system.ping", args: {}, deadline: NOW + 60_000, requestedBy: "token:t" }, NOW, 7);
      expect(store.auditId("cmd_new")).toBe(7);
    });
  });
});

describe("a device's queued commands written before they named their token", () => {
  it("keeps them, gains the token column (empty for them: delivered whoever is revoked), and keeps the token of each command queued from then on", async () => {
    const fresh = await runInDurableObject(scratch("fresh-queue"), (_object, state) => {
      migrate(state.storage, DEVICE_SCHEMAS);
      return columns(state.storage.sql);
    });
    await runInDurableObject(env.DEVICE.get(env.DEVICE.idFromName("old-fleet/old-queue")), async (_object, state) => {
      const sql = state.storage.sql;
      const before = DEVICE_SCHEMAS.map((schema) => (schema === QUEUE_SCHEMA ? { ...schema, migrations: schema.migrations.slice(0, 1) } : schema));
      migrate(state.storage, before);
      new DeviceStore(sql).setIdentity({ fleet: "old-fleet", deviceId: "old-queue", credentialHash: "h" });
      sql.exec("INSERT INTO commands (id, action, args, requested_by, deadline, state, created_at) VALUES ('cmd_waiting', 'system.ping', '{}', 'token:tok_old', ?, 'queued', ?)", NOW + 60_000, NOW);
      sql.exec("INSERT INTO queued_commands (id, expires_at, timeout_ms) VALUES ('cmd_waiting', ?, 10000)", NOW + 60_000);

      const started = new DeviceObject(state, env);
      await state.blockConcurrencyWhile(async () => undefined);

      expect(schemaVersion(sql, QUEUE_SCHEMA.name)).toBe(QUEUE_SCHEMA.migrations.length);
      expect(columns(sql)).toEqual(fresh);
      expect(await started.commands(10)).toMatchObject([{ id: "cmd_waiting", state: "queued" }]);
      const queue = new QueueStore(sql);
      expect(queue.expiresAt("cmd_waiting")).toBe(NOW + 60_000);
      expect(queue.credentials()).toEqual(new Map());
      new DeviceStore(sql).insertCommand({ id: "cmd_new", action: "system.ping", args: {}, deadline: NOW + 60_000, requestedBy: "token:tok_new" }, NOW);
      queue.add("cmd_new", NOW + 60_000, 10_000, "tok_new");
      expect(queue.credentials()).toEqual(new Map([["cmd_new", "tok_new"]]));
    });
  });
});

describe("a fleet's devices written before their filters had columns", () => {
  it("gains the indexed columns, filled from each summary, and answers list filters and selectors from them", async () => {
    await runInDurableObject(env.REGISTRY.get(env.REGISTRY.idFromName("old-list-fleet")), async (_object, state) => {
      const sql = state.storage.sql;
      // The release before: every schema as it was, the devices table with its first step only.
      migrate(state.storage, REGISTRY_SCHEMAS.map((schema) => (schema.name === "devices" ? { ...schema, migrations: schema.migrations.slice(0, 1) } : schema)));
      const state7 = { hostname: "h", bridgeVersion: "0.1.0", capabilities: [], board: "NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super", jetpack: "6.2" };
      const old = [
        { id: "cam-7", fleet: "old-list-fleet", online: true, tags: ["lab"], state: state7, alerts: [{ kind: "temperature", since: NOW, value: 99, message: "hot" }] },
        { id: "cam-8", fleet: "old-list-fleet", online: true, tags: ["warehouse"], state: { ...state7, jetpack: "5.1.2", board: "NVIDIA Jetson Nano Developer Kit" } },
        { id: "cam-9", fleet: "old-list-fleet", online: false, alerts: [{ kind: "offline", since: NOW, value: 5, message: "gone" }] },
      ];
      for (const summary of old) sql.exec("INSERT INTO devices (id, summary) VALUES (?, ?)", summary.id, JSON.stringify(summary));

      const started = new RegistryObject(state, env);
      await state.blockConcurrencyWhile(async () => undefined);

      const page = async (filter: DeviceFilter) => (await started.list({ filter, limit: 10 })).devices.map((d) => d.id);
      expect(await page({})).toEqual(["cam-7", "cam-8", "cam-9"]);
      expect(await page({ status: "alerting" })).toEqual(["cam-7"]);
      expect(await page({ status: "offline" })).toEqual(["cam-9"]);
      expect(await page({ alerts: true })).toEqual(["cam-7"]);
      expect(await page({ selector: parseSelector("tag:lab,warehouse jetpack:6") })).toEqual(["cam-7"]);
      expect((await started.select(parseSelector("board:nano,orin-nano -jetpack:6"))).devices.map((d) => d.id)).toEqual(["cam-8"]);
      expect((await started.list({ filter: {}, limit: 2 })).total).toBe(3);
      expect(recorded(sql).devices).toBe(DEVICES_SCHEMA.migrations.length);
    });
  });
});

describe("a fleet's devices written before drift had a column", () => {
  it("gains the drift column, filled from each summary, and the drift report reads it", async () => {
    await runInDurableObject(env.REGISTRY.get(env.REGISTRY.idFromName("old-drift-fleet")), async (_object, state) => {
      const sql = state.storage.sql;
      // The release before: the devices table with its first two steps.
      migrate(state.storage, REGISTRY_SCHEMAS.map((schema) => (schema.name === "devices" ? { ...schema, migrations: schema.migrations.slice(0, 2) } : schema)));
      const drift = [{ aspect: "fan", item: "profile", wanted: "cool", actual: "quiet", reason: "changed on the device", since: NOW }];
      sql.exec("INSERT INTO devices (id, summary) VALUES ('cam-1', ?)", JSON.stringify({ id: "cam-1", fleet: "old-drift-fleet", online: true, drift }));
      sql.exec("INSERT INTO devices (id, summary) VALUES ('cam-2', ?)", JSON.stringify({ id: "cam-2", fleet: "old-drift-fleet", online: true }));

      const started = new RegistryObject(state, env);
      await state.blockConcurrencyWhile(async () => undefined);

      expect((await started.drifting()).devices).toMatchObject([{ id: "cam-1", drift }]);
      expect(recorded(sql).devices).toBe(DEVICES_SCHEMA.migrations.length);
    });
  });
});

describe("fleet runs written before devices' commands were recorded", () => {
  it("a run keeps its record, gains the command column, and a cancel leaves an ended run as it was", async () => {
    const fresh = await runInDurableObject(env.FLEET_RUN.get(env.FLEET_RUN.idFromName("migrations/fresh-run")), (_object, state) => {
      migrate(state.storage, [RUN_SCHEMA]);
      return columns(state.storage.sql);
    });
    await runInDurableObject(env.FLEET_RUN.get(env.FLEET_RUN.idFromName("old-fleet/run_old")), async (_object, state) => {
      const sql = state.storage.sql;
      migrate(state.storage, [{ ...RUN_SCHEMA, migrations: RUN_SCHEMA.migrations.slice(0, 1) }]);
      const caller = { fleet: "old-fleet", kind: "token" as const, id: "tok_old", scopes: ["read" as const, "operate" as const] };
      const spec = { id: "run_old", fleet: "old-fleet", caller, requestedBy: "token:tok_old", action: "system.ping", args: {}, selector: "*", concurrency: 1, timeoutMs: 10_000, confirm: false, createdAt: NOW };
      const old = new RunStore(state.storage);
      old.create(spec, [{ device: "old-device", canary: false }]);
      sql.exec("UPDATE run_devices SET state = 'succeeded', started_at = ?, ended_at = ?, data = '{\"pong\":true}'", NOW, NOW + 5);
      old.end("succeeded", undefined, NOW + 5);

      const started = new FleetRunObject(state, env);
      await state.blockConcurrencyWhile(async () => undefined);
      const before = JSON.parse((await started.view()) ?? "{}") as Record<string, unknown>;
      expect(before).toMatchObject({ id: "run_old", state: "succeeded", devices: [{ device: "old-device", state: "succeeded", data: { pong: true } }] });
      expect(columns(sql)).toEqual(fresh);
      expect(JSON.parse((await started.cancel("token:tok_old")) ?? "{}")).toEqual(before);
    });
  });
});
