import { z } from "zod";

/** The registry's internal path where the Worker opens a listener's link (only the Worker can reach the registry). */
export const LISTEN_PATH = "/listen";
/** The API token a link listens under (for OAuth callers, the one that approved the client): revoking it ends the link. */
export const LISTEN_TOKEN_HEADER = "X-Listen-Token";

/** A stream outlives neither its token's revocation nor this: the client then listens again, with a token that is still good. */
export const MAX_LINK_MS = 60 * 60 * 1000;

/** Open listen streams per fleet: each holds a socket on the registry and a stream on a Worker. */
export const MAX_LISTENERS_PER_FLEET = 100;
/** Open listen streams per token: a client listens on a few streams at most, so one token (read-only will do) cannot take all of its fleet's. */
export const MAX_LISTENERS_PER_TOKEN = 10;

const TAG = "listen";
const tokenTag = (id: string) => `listen-token:${id}`;

/** Kept with each socket, since the object may hibernate and lose its memory while sockets stay open. */
interface LinkState {
  expiresAt: number;
}

/** A change a listen stream may report, as the MCP SDK's ServerEvent names them. */
const ChangeEventSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("resource_updated"), uri: z.string().max(512) }),
  z.object({ kind: z.enum(["tools_list_changed", "prompts_list_changed", "resources_list_changed"]) }),
]);

/** One frame on a link, either way: the registry's announcements, or a Worker's publication for the whole fleet. */
const ChangesSchema = z.object({ events: z.array(ChangeEventSchema).min(1).max(64) });
export type Changes = z.infer<typeof ChangesSchema>;

/**
 * The fleet registry's side of MCP listen streams: hibernatable WebSockets from Workers, each
 * told of every change to the fleet's resources. When a link closes (its token revoked, its time
 * up, the object restarted), its Worker ends the stream and the client listens again.
 */
export class ListenChannel {
  constructor(private readonly ctx: DurableObjectState) {}

  get open(): boolean {
    return this.ctx.getWebSockets(TAG).length > 0;
  }

  owns(ws: WebSocket): boolean {
    return this.ctx.getTags(ws).includes(TAG);
  }

  /** A new link, or 429 saying which limit the fleet or the token has reached. */
  accept(tokenId: string, now: number): Response {
    if (this.ctx.getWebSockets(TAG).length >= MAX_LISTENERS_PER_FLEET) {
      return new Response(`this fleet has ${MAX_LISTENERS_PER_FLEET} listen streams open, as many as a fleet may.`, { status: 429 });
    }
    if (this.ctx.getWebSockets(tokenTag(tokenId)).length >= MAX_LISTENERS_PER_TOKEN) {
      return new Response(`this token has ${MAX_LISTENERS_PER_TOKEN} listen streams open, as many as one token may.`, { status: 429 });
    }
    const { 0: worker, 1: socket } = new WebSocketPair();
    this.ctx.acceptWebSocket(socket, [TAG, tokenTag(tokenId)]);
    socket.serializeAttachment({ expiresAt: now + MAX_LINK_MS } satisfies LinkState);
    return new Response(null, { status: 101, webSocket: worker });
  }

  endToken(tokenId: string): void {
    for (const ws of this.ctx.getWebSockets(tokenTag(tokenId))) close(ws, 1000, "token revoked");
  }

  announceUpdated(uris: readonly string[], now: number): void {
    if (uris.length > 0) this.announce({ events: uris.map((uri) => ({ kind: "resource_updated", uri })) }, now);
  }

  /** Sends to every link; one past its time is closed instead. */
  announce(changes: Changes, now: number): void {
    const text = JSON.stringify(changes);
    for (const ws of this.ctx.getWebSockets(TAG)) {
      const state = ws.deserializeAttachment() as LinkState | null;
      if (!state || state.expiresAt <= now) close(ws, 1000, "listened long enough: listen again");
      else send(ws, text);
    }
  }

  /** A Worker published a change: every listener of the fleet hears it. A malformed frame ends that link alone. */
  received(ws: WebSocket, message: string | ArrayBuffer, now: number): void {
    const changes = parseChanges(message);
    if (changes) this.announce(changes, now);
    else close(ws, 1003, "expected a JSON list of change events");
  }
}

/** A frame of a link as changes, or undefined when it is not one. */
export function parseChanges(frame: unknown): Changes | undefined {
  if (typeof frame !== "string") return undefined;
  try {
    const parsed = ChangesSchema.safeParse(JSON.parse(frame));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
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
