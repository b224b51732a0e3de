import { encodePacket, type Packet } from "../mqtt/index.js";

/** Per-socket state, kept in the socket's attachment so it survives hibernation. */
export interface Attachment {
  version?: 4 | 5;
  authenticated: boolean;
  /** Listens on the device's command topic: commands go to it. */
  subscribed: boolean;
  /** Seconds, as the client asked in CONNECT. */
  keepalive: number;
  /** Epoch ms the socket was accepted: CONNECT must follow within CONNECT_TIMEOUT_MS. */
  openedAt: number;
  will?: { topic: string; payload: string };
  nextMessageId: number;
  /** The start of a packet whose rest has not come yet, for a reader rebuilt after hibernation; only its size when too large to keep here. */
  pending?: { bytes: Uint8Array } | { unkept: number };
  /** Closed on purpose (replaced, revoked, timed out): its close must not touch presence or fire the will. */
  retired: boolean;
}

/** Close codes the device sees. */
export const CLOSE = { replaced: 4000, keepalive: 4001, handshake: 4002, revoked: 4003, protocol: 1002 } as const;

const FRESH: Attachment = { authenticated: false, subscribed: false, keepalive: 0, openedAt: 0, nextMessageId: 1, retired: false };

/** One device socket: its attachment, and sending and closing that never throw. */
export class Connection {
  constructor(readonly ws: WebSocket) {}

  get state(): Attachment {
    return (this.ws.deserializeAttachment() as Attachment | null) ?? FRESH;
  }

  update(patch: Partial<Attachment>): void {
    this.ws.serializeAttachment({ ...this.state, ...patch });
  }

  send(packet: Packet): void {
    try {
      this.ws.send(encodePacket(packet, this.state.version ?? 5));
    } catch {
      // The socket is already closing; its close handler settles presence.
    }
  }

  /** Takes the next MQTT packet identifier (1..65535). */
  takeMessageId(): number {
    const id = this.state.nextMessageId;
    this.update({ nextMessageId: id >= 65_535 ? 1 : id + 1 });
    return id;
  }

  close(code: number, reason: string): void {
    try {
      this.ws.close(code, reason);
    } catch {
      // Already closed.
    }
  }

  retire(code: number, reason: string): void {
    this.update({ retired: true });
    this.close(code, reason);
  }
}
