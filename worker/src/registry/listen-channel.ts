import { z } from "zod";

/** The registry's internal path where the Worker opens a listener's link (only the Worker can reach the registry). */
export const LISTEN_PATH = "/listen";

/** Open listen streams per fleet: each holds a socket on the registry and a stream on a Worker. */
export const MAX_LISTENERS_PER_FLEET = 100;

const TAG = "listen";

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
 * told of every change to the fleet's resources. Announcing is one send per link; a link the
 * runtime can no longer send on is closed, and its Worker ends the stream.
 */
export class ListenChannel {
  constructor(private readonly ctx: DurableObjectState) {}

  get open(): boolean {
    return this.ctx.getWebSockets(TAG).length > 0;
  }

  owns(ws: WebSocket): boolean {
    return this.ctx.getTags(ws).includes(TAG);
  }

  /** A new link, or 429 when the fleet has as many as it may. */
  accept(): Response {
    if (this.ctx.getWebSockets(TAG).length >= MAX_LISTENERS_PER_FLEET) {
      return new Response(`At most ${MAX_LISTENERS_PER_FLEET} listen streams per fleet.`, { status: 429 });
    }
    const { 0: worker, 1: socket } = new WebSocketPair();
    this.ctx.acceptWebSocket(socket, [TAG]);
    return new Response(null, { status: 101, webSocket: worker });
  }

  announceUpdated(uris: readonly string[]): void {
    if (uris.length > 0) this.announce({ events: uris.map((uri) => ({ kind: "resource_updated", uri })) });
  }

  announce(changes: Changes): void {
    const text = JSON.stringify(changes);
    for (const ws of this.ctx.getWebSockets(TAG)) {
      try {
        ws.send(text);
      } catch {
        close(ws, 1011, "send failed");
      }
    }
  }

  /** A Worker published a change: every listener of the fleet hears it. A malformed frame ends that link alone. */
  received(ws: WebSocket, message: string | ArrayBuffer): void {
    const changes = parseChanges(message);
    if (changes) this.announce(changes);
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

function close(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {}
}
