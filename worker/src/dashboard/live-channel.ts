import type { DeviceStatus } from "@jetson/protocol";
import { type LiveMessage, MAX_LIVE_PER_TOKEN, SESSION_ENDED, SUPERSEDED } from "./live-messages.js";
import type { DashboardSession } from "./session-table.js";

/** The Worker tells the registry which session opens a socket (only the Worker can reach the registry), and which device it watches, if one. */
export const LIVE_SESSION_HEADER = "X-Dashboard-Session";
export const LIVE_DEVICE_HEADER = "X-Dashboard-Device";
/** A fleet view's list query (JSON, checked by the Worker): which page it shows. */
export const LIVE_PAGE_HEADER = "X-Dashboard-Page";

/** Live dashboards one fleet may have open: each is a socket its registry holds and tells of every change. */
export const MAX_LIVE_PER_FLEET = 200;

const TAG = "dashboard";
const sessionTag = (hash: string) => `session:${hash}`;
const tokenTag = (id: string) => `token:${id}`;

/** Kept with each socket, since the object may hibernate and lose its memory while sockets stay open. */
interface SocketState {
  openedAt: number;
  /** The session's end; 0 once the socket has been closed, though its page may not have answered yet. */
  expiresAt: number;
  /** A device view gets only its device's changes. */
  device?: string;
  /** A fleet view gets the changes of devices in its page's stretch of ids: after `after`, up to `through` (open ends when absent). */
  after?: string;
  through?: string;
}

/** What a socket watches: one device, or one page of the fleet (by its ids' range). */
export type LiveScope = { device: string } | { after?: string; through?: string };

function watches(state: SocketState, id: string): boolean {
  if (state.device !== undefined) return state.device === id;
  return (state.after === undefined || id > state.after) && (state.through === undefined || id <= state.through);
}

/**
 * The fleet registry's push channel to dashboards: hibernatable WebSockets, each told its page
 * of the fleet (or its one device) when it opens, then the changes of the devices in that page's
 * range of ids and, for fleet views, the fleet's counts when a device's status changes. A fleet of
 * 10,000 thus sends a page, not the fleet, and a page's socket never hears of the devices beyond it.
 */
export class LiveChannel {
  constructor(private readonly ctx: DurableObjectState) {}

  /** A new dashboard, or 429 saying which limit the fleet or the token has reached (see makeRoom). */
  open(hash: string, session: DashboardSession, snapshot: LiveMessage & { type: "snapshot" }, scope: LiveScope, now: number): Response {
    const refusal = this.makeRoom(session.tokenId, now);
    if (refusal) return refusal;
    const { 0: page, 1: socket } = new WebSocketPair();
    this.ctx.acceptWebSocket(socket, [TAG, sessionTag(hash), tokenTag(session.tokenId)]);
    socket.serializeAttachment({ openedAt: now, expiresAt: session.expiresAt, ...scope } satisfies SocketState);
    socket.send(JSON.stringify(snapshot));
    return new Response(null, { status: 101, webSocket: page });
  }

  /**
   * Makes room for one more of a token's dashboards: past its limit the token's oldest is closed
   * rather than the new one refused, since the tab a person has just opened is the one in front of
   * them (and a refused upgrade cannot tell its page why). A closed page that never answers keeps
   * its socket, so a token's sockets, closing ones included, stay under twice its limit.
   */
  private makeRoom(tokenId: string, now: number): Response | undefined {
    if (this.ctx.getWebSockets(TAG).length >= MAX_LIVE_PER_FLEET) {
      return tooMany(`This fleet has ${MAX_LIVE_PER_FLEET} live dashboards open, as many as a fleet may.`);
    }
    if (this.ctx.getWebSockets(tokenTag(tokenId)).length >= 2 * MAX_LIVE_PER_TOKEN) {
      return tooMany(`This token has ${MAX_LIVE_PER_TOKEN} live dashboards open, and the ones it replaced have not closed yet.`);
    }
    const open = this.live(now, tokenTag(tokenId));
    if (open.length < MAX_LIVE_PER_TOKEN) return undefined;
    // The first of equal times is the first accepted.
    const oldest = open.reduce((a, b) => (b.state.openedAt < a.state.openedAt ? b : a));
    oldest.socket.serializeAttachment({ ...oldest.state, expiresAt: 0 } satisfies SocketState);
    close(oldest.socket, SUPERSEDED, "newer dashboards of this token took its place");
    return undefined;
  }

  /** Sends a device's change to every dashboard that shows it; a socket whose session has expired is closed instead. */
  broadcast(message: LiveMessage & { type: "upsert" | "remove" }, now: number): void {
    const id = message.type === "upsert" ? message.device.id : message.id;
    let text: string | undefined;
    for (const ws of this.live(now)) {
      if (watches(ws.state, id)) send(ws.socket, (text ??= JSON.stringify(message)));
    }
  }

  /** Sends the fleet's counts (computed only if a fleet view is open) to every fleet view. */
  broadcastCounts(counts: () => Record<DeviceStatus, number>, now: number): void {
    const views = this.live(now).filter((ws) => ws.state.device === undefined);
    if (views.length === 0) return;
    const text = JSON.stringify({ type: "counts", counts: counts() } satisfies LiveMessage);
    for (const ws of views) send(ws.socket, text);
  }

  /** The open dashboards (with `tag`) with their state; expired ones are closed on the way. */
  private live(now: number, tag = TAG): { socket: WebSocket; state: SocketState }[] {
    return this.ctx.getWebSockets(tag).flatMap((socket) => {
      const state = socket.deserializeAttachment() as SocketState | null;
      if (state && state.expiresAt > now) return [{ socket, state }];
      close(socket, SESSION_ENDED, "session expired");
      return [];
    });
  }

  /** A session ended: signed out, or its token's newer sign-ins took its place. */
  endSession(hash: string, reason: string): void {
    for (const ws of this.ctx.getWebSockets(sessionTag(hash))) close(ws, SESSION_ENDED, reason);
  }

  endToken(tokenId: string): void {
    for (const ws of this.ctx.getWebSockets(tokenTag(tokenId))) close(ws, SESSION_ENDED, "token revoked");
  }
}

function tooMany(error: string): Response {
  return Response.json({ error }, { status: 429 });
}

// A socket may be closing already; that is not this sender's failure.
function send(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {}
}

function close(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {}
}
