import type { ServerEvent, ServerEventBus } from "@modelcontextprotocol/server";
import { type Fleet, registryStub } from "../fleet.js";
import { LISTEN_PATH, LISTEN_TOKEN_HEADER, parseChanges } from "../registry/listen-channel.js";

type Listener = (event: ServerEvent) => void;

/**
 * The `subscriptions/listen` bus of one caller's fleet, fed by the fleet's registry over a
 * WebSocket: the Worker isolate that serves a listen stream is rarely the one that sees a device
 * change, so the SDK's in-memory bus would hear nothing. One bus serves one listen request; it
 * closes its link when the SDK unsubscribes, and `ended` aborts when the link closes under it
 * (the registry dropped it, or was restarted), so the stream can end and the client listen again.
 */
export class FleetEventBus implements ServerEventBus {
  private readonly listeners = new Set<Listener>();
  private readonly end = new AbortController();

  private constructor(private readonly link: WebSocket) {
    link.accept();
    link.addEventListener("message", (event) => this.received(event.data));
    // Answering the registry's close completes the handshake.
    link.addEventListener("close", () => this.close());
    link.addEventListener("error", () => this.close());
  }

  /** Checks the caller may read the fleet, then opens the link; or the registry's words on the limit its fleet or token has reached. */
  static async open(fleet: Fleet): Promise<FleetEventBus | { refused: string }> {
    fleet.require("read");
    const { caller } = fleet;
    // An OAuth client's streams go with the API token that approved it.
    const token = caller.kind === "oauth" ? (caller.user ?? caller.id) : caller.id;
    const response = await registryStub(fleet.env, fleet.id).fetch(`https://registry${LISTEN_PATH}`, {
      headers: { Upgrade: "websocket", [LISTEN_TOKEN_HEADER]: token },
    });
    if (response.webSocket) return new FleetEventBus(response.webSocket);
    const text = await response.text();
    if (response.status === 429) return { refused: text };
    throw new Error(`The fleet registry refused a listen link: ${response.status} ${text}`);
  }

  /** Aborts once the link has closed, for whatever reason. */
  get ended(): AbortSignal {
    return this.end.signal;
  }

  /** Reaches every listener of the fleet, through its registry. */
  publish(event: ServerEvent): void {
    if (this.end.signal.aborted) return;
    const { kind } = event;
    this.link.send(JSON.stringify({ events: [kind === "resource_updated" ? { kind, uri: event.uri } : { kind }] }));
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.close();
    };
  }

  /** Closes the link if no stream subscribed to it (the SDK answered the request without opening one). */
  closeIfUnused(): void {
    if (this.listeners.size === 0) this.close();
  }

  close(): void {
    this.end.abort();
    // Closing twice, or a link the registry closed already, is no failure.
    try {
      this.link.close(1000, "listen stream ended");
    } catch {}
  }

  private received(data: unknown): void {
    for (const event of parseChanges(data)?.events ?? []) for (const listener of this.listeners) listener(event);
  }
}
