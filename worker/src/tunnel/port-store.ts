import type { DevicePort } from "@jetson/protocol";
import type { Schema } from "../sqlite-migrations.js";

export const PORT_SCHEMA: Schema = {
  name: "device_ports",
  migrations: [
    `CREATE TABLE IF NOT EXISTS device_ports (
      id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL UNIQUE, port INTEGER NOT NULL,
      opened_by TEXT NOT NULL, opened_at INTEGER NOT NULL, expires_at INTEGER NOT NULL
    )`,
  ],
};

interface Row extends Record<string, SqlStorageValue> {
  id: string;
  port: number;
  opened_by: string;
  opened_at: number;
  expires_at: number;
}

const COLUMNS = "id, port, opened_by, opened_at, expires_at";
const asPort = (row: Row): DevicePort => ({ id: row.id, port: row.port, openedBy: row.opened_by, openedAt: row.opened_at, expiresAt: row.expires_at });

/**
 * A device's open port tunnels. Only the hash of each URL's secret is kept; a row lives while its
 * tunnel is open (closing or expiry deletes it; the audit trail keeps the history).
 */
export class PortStore {
  constructor(private readonly sql: SqlStorage) {}

  add(port: DevicePort, secretHash: string): void {
    this.sql.exec(
      "INSERT INTO device_ports (id, secret_hash, port, opened_by, opened_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
      port.id, secretHash, port.port, port.openedBy, port.openedAt, port.expiresAt,
    );
  }

  /** The open, unexpired tunnel whose secret hashes to this; undefined for any other. */
  bySecretHash(hash: string, now: number): DevicePort | undefined {
    const row = this.sql.exec<Row>(`SELECT ${COLUMNS} FROM device_ports WHERE secret_hash = ? AND expires_at > ?`, hash, now).toArray()[0];
    return row && asPort(row);
  }

  list(now: number): DevicePort[] {
    return this.sql.exec<Row>(`SELECT ${COLUMNS} FROM device_ports WHERE expires_at > ? ORDER BY opened_at`, now).toArray().map(asPort);
  }

  /** Deletes a tunnel; answers it, or undefined when there was none by that id. */
  remove(id: string): DevicePort | undefined {
    const row = this.sql.exec<Row>(`DELETE FROM device_ports WHERE id = ? RETURNING ${COLUMNS}`, id).toArray()[0];
    return row && asPort(row);
  }

  /** Deletes and answers every tunnel, open or expired. */
  takeAll(): DevicePort[] {
    return this.sql.exec<Row>(`DELETE FROM device_ports RETURNING ${COLUMNS}`).toArray().map(asPort);
  }

  /** Deletes and answers the tunnels expired by `now`. */
  takeExpired(now: number): DevicePort[] {
    return this.sql.exec<Row>(`DELETE FROM device_ports WHERE expires_at <= ? RETURNING ${COLUMNS}`, now).toArray().map(asPort);
  }

  nextExpiry(): number | undefined {
    return this.sql.exec<{ due: number | null }>("SELECT min(expires_at) AS due FROM device_ports").one().due ?? undefined;
  }
}
