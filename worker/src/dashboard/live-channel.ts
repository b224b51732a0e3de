import type { DeviceSummary } from "@jetson/protocol";
import { fleetDevice, type LiveMessage, SESSION_ENDED } from "./live-messages.js";
import type { DashboardSession } from "./session-table.js";

/** The Worker tells the registry which session opens a socket (only the Worker can reach the registry), and which device it watches, if one. */
export const LIVE_SESSION_HEADER = "X-Dashboard-Session";
export const LIVE_DEVICE_HEADER = "X-Dashboard-Device";

const TAG = "dashboard";
const sessionTag = (hash: string) => `session:${hash}`;
const tokenTag = (id: string) => `token:${id}`;

/** Kept with each socket, since the object may hibernate and lose its memory while sockets stay open. */
interface SocketState {
  expiresAt: number;
  /** A device view gets only its device's changes. */
  device?: string;
}

/**
 * The fleet registry's push channel to dashboards: hibernatable WebSockets, each told the
 * whole fleet when it opens and every device summary change after that.
 */
export class LiveChannel {
  constructor(private readonly ctx: DurableObjectState) {}

  open(hash: string, session: DashboardSession, devices: readonly DeviceSummary[], device: string | undefined): Response {
    const { 0: page, 1: socket } = new WebSocketPair();
    this.ctx.acceptWebSocket(socket, [TAG, sessionTag(hash), tokenTag(session.tokenId)]);
    socket.serializeAttachment({ expiresAt: session.expiresAt, ...(device && { device }) } satisfies SocketState);
    const watched = device ? devices.filter((d) => d.id === device) : devices;
    socket.send(JSON.stringify({ type: "snapshot", devices: watched.map(fleetDevice) } satisfies LiveMessage));
    return new Response(null, { status: 101, webSocket: page });
  }

  /** Sends to every open dashboard; a socket whose session has expired is closed instead. */
  broadcast(message: LiveMessage, now: number): void {
    const sockets = this.ctx.getWebSockets(TAG);
    if (sockets.length === 0) return;
    const text = JSON.stringify(message);
    const about = message.type === "upsert" ? message.device.id : message.type === "remove" ? message.id : undefined;
    for (const ws of sockets) {
      const state = ws.deserializeAttachment() as SocketState | null;
      if (!state || state.expiresAt <= now) end(ws, "session expired");
      else if (!state.device || state.device === about) send(ws, text);
    }
  }

  endSession(hash: string): void {
    for (const ws of this.ctx.getWebSockets(sessionTag(hash))) end(ws, "signed out");
  }

  endToken(tokenId: string): void {
    for (const ws of this.ctx.getWebSockets(tokenTag(tokenId))) end(ws, "token revoked");
  }
}

// A socket may be closing already; that is not this sender's failure.
function send(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {}
}

function end(ws: WebSocket, reason: string): void {
  try {
    ws.close(SESSION_ENDED, reason);
  } catch {}
}
