import type { DeviceTelemetry } from "../telemetry/device-telemetry.js";
import type { AlarmScheduler } from "./alarm-scheduler.js";
import { CLOSE, Connection, type Attachment } from "./connection.js";
import type { DeviceStore } from "./store.js";

/** A tunnel socket that has not sent CONNECT by then is closed: an idle stranger holds nothing for long. */
export const CONNECT_TIMEOUT_MS = 10_000;

type Will = NonNullable<Attachment["will"]>;

/** lastSeen is kept to the second: keepalive and the offline alert judge it in tens of seconds and minutes. */
const TOUCH_EVERY_MS = 1_000;

/** What presence needs beside the ledger and telemetry. */
export interface PresenceHost {
  publishSummary(): Promise<void>;
  /** The Last Will, delivered as if the device had published it. */
  fireWill(will: Will): Promise<void>;
  /** A socket is done with: its in-memory state can go. */
  forget(ws: WebSocket): void;
}

/** The device's sockets and whether it is online: keepalive, the CONNECT deadline, replacement, going offline. */
export class Presence {
  /** When touch() last stored lastSeen; in memory only, so a rebuilt object stores on its first packet. */
  private touched = 0;
  /** When the last packet came, which the stored lastSeen may trail by up to TOUCH_EVERY_MS; going offline stores it. */
  private heard = 0;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly store: DeviceStore,
    private readonly telemetry: DeviceTelemetry,
    private readonly scheduler: AlarmScheduler<"keepalive" | "offline">,
    private readonly host: PresenceHost,
  ) {}

  /** A socket was accepted: it must send CONNECT within CONNECT_TIMEOUT_MS. */
  async opened(ws: WebSocket, provisioned: boolean): Promise<void> {
    const now = Date.now();
    new Connection(ws).update({ openedAt: now });
    // A device never provisioned has no storage to keep an alarm in; this object stays awake until the timer.
    if (provisioned) await this.scheduler.ensure("keepalive", now + CONNECT_TIMEOUT_MS);
    else setTimeout(() => this.closeStrangers(Date.now()), CONNECT_TIMEOUT_MS);
  }

  /** The device authenticated: older links are replaced and it is online. */
  async connected(connection: Connection): Promise<void> {
    for (const other of this.connections()) {
      if (other.ws !== connection.ws) other.retire(CLOSE.replaced, "replaced by a newer connection");
    }
    const now = Date.now();
    this.store.setPresence({ online: true, connectedSince: now, lastSeen: now });
    this.telemetry.online(now);
    if (connection.state.keepalive > 0) await this.scheduler.ensure("keepalive", now + connection.state.keepalive * 1500);
    await this.host.publishSummary();
  }

  /** Every packet counts as a sign of life; the stored time is rewritten at most once per TOUCH_EVERY_MS, not once per packet. */
  touch(): void {
    const now = Date.now();
    this.heard = now;
    if (Math.abs(now - this.touched) < TOUCH_EVERY_MS) return;
    this.touched = now;
    const presence = this.store.presence();
    this.store.setPresence({ ...presence, lastSeen: now });
  }

  /** The link that takes commands now: authenticated and subscribed. */
  live(): Connection | undefined {
    const link = this.authenticated();
    return link?.state.subscribed ? link : undefined;
  }

  /** The device's authenticated link, not closed or replaced, subscribed or not yet: while there is one the device is online. */
  authenticated(): Connection | undefined {
    return this.connections().find((c) => c.state.authenticated && !c.state.retired);
  }

  async closeAll(reason: string): Promise<void> {
    for (const connection of this.connections()) {
      connection.retire(CLOSE.revoked, reason);
      await this.closed(connection, false);
    }
  }

  /** A socket ended; the last live one ending takes the device offline and fires its will unless it was retired. */
  async closed(connection: Connection, fireWill = !connection.state.retired): Promise<void> {
    this.host.forget(connection.ws);
    const wasAuthenticated = connection.state.authenticated;
    const will = connection.state.will;
    connection.update({ retired: true, authenticated: false });
    // Another authenticated link keeps the device online even before it subscribes: a replaced socket's close
    // often trails its successor's CONNECT.
    if (!wasAuthenticated || this.authenticated()) return;
    if (fireWill && will) await this.host.fireWill(will);
    const presence = this.store.presence();
    if (!presence.online) return;
    const lastSeen = presence.lastSeen === undefined ? undefined : Math.max(presence.lastSeen, this.heard);
    this.store.setPresence({ online: false, lastSeen });
    if (lastSeen !== undefined) await this.scheduler.ensure("offline", this.telemetry.offlineDue(lastSeen));
    await this.host.publishSummary();
  }

  /** The keepalive duty: closes links whose device sent nothing for 1.5 keepalive periods, and sockets that never sent CONNECT. */
  async closeSilentLinks(now: number): Promise<number | undefined> {
    const { lastSeen = 0 } = this.store.presence();
    let next = this.closeStrangers(now);
    for (const connection of this.connections()) {
      const limit = connection.state.keepalive * 1500;
      if (limit === 0) continue;
      if (now - lastSeen >= limit) {
        connection.retire(CLOSE.keepalive, "keepalive timeout");
        await this.closed(connection, true);
      } else {
        next = Math.min(next ?? Infinity, lastSeen + limit);
      }
    }
    return next;
  }

  /** The offline duty: raises the offline alert once the device has been away for the configured time. */
  async checkOffline(now: number): Promise<number | undefined> {
    const { online, lastSeen } = this.store.presence();
    if (online || lastSeen === undefined) return undefined;
    const { raised, next } = this.telemetry.checkOffline(lastSeen, now);
    if (raised) await this.host.publishSummary();
    return next;
  }

  /** Closes sockets that sent no CONNECT within CONNECT_TIMEOUT_MS of opening. */
  private closeStrangers(now: number): number | undefined {
    let next: number | undefined;
    for (const connection of this.connections()) {
      const { authenticated, retired, openedAt } = connection.state;
      if (authenticated || retired) continue;
      const due = openedAt + CONNECT_TIMEOUT_MS;
      if (now >= due) connection.retire(CLOSE.handshake, "no CONNECT in time");
      else next = Math.min(next ?? Infinity, due);
    }
    return next;
  }

  private connections(): Connection[] {
    return this.ctx.getWebSockets().map((ws) => new Connection(ws));
  }
}
