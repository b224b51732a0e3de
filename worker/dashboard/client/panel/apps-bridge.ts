import { z } from "zod";

/**
 * The view's side of the MCP Apps bridge (SEP-1865, io.modelcontextprotocol/ui, 2026-01-26):
 * JSON-RPC 2.0 over postMessage with the host that put this document in its iframe. The
 * host answers ui/initialize, sends the tool's input and result as notifications, and
 * forwards tools/call to the MCP server. Only messages from that host are read.
 */

export const APPS_PROTOCOL_VERSION = "2026-01-26";

export const METHODS = {
  initialize: "ui/initialize",
  initialized: "ui/notifications/initialized",
  toolInput: "ui/notifications/tool-input",
  toolResult: "ui/notifications/tool-result",
  toolCancelled: "ui/notifications/tool-cancelled",
  sizeChanged: "ui/notifications/size-changed",
  teardown: "ui/resource-teardown",
  callTool: "tools/call",
  ping: "ping",
} as const;

const IdSchema = z.union([z.string(), z.number()]);
const ParamsSchema = z.record(z.string(), z.unknown());
const RequestSchema = z.object({ jsonrpc: z.literal("2.0"), id: IdSchema, method: z.string(), params: ParamsSchema.optional() });
const NotificationSchema = z.object({ jsonrpc: z.literal("2.0"), method: z.string(), params: ParamsSchema.optional() });
const ResponseSchema = z.union([
  z.object({ jsonrpc: z.literal("2.0"), id: IdSchema, result: ParamsSchema }),
  z.object({ jsonrpc: z.literal("2.0"), id: IdSchema, error: z.object({ code: z.number(), message: z.string() }) }),
]);

export const InitializeResultSchema = z.looseObject({
  protocolVersion: z.string(),
  hostCapabilities: z.looseObject({ serverTools: z.looseObject({}).optional() }).optional(),
  hostContext: z.looseObject({ theme: z.enum(["light", "dark"]).optional() }).optional(),
});
export type InitializeResult = z.infer<typeof InitializeResultSchema>;

export const ToolInputSchema = z.looseObject({ arguments: z.record(z.string(), z.unknown()).default({}) });

export const CallToolResultSchema = z.looseObject({
  content: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })).default([]),
  structuredContent: z.record(z.string(), z.unknown()).optional(),
  isError: z.boolean().optional(),
});
export type CallToolResult = z.infer<typeof CallToolResultSchema>;

type Params = z.infer<typeof ParamsSchema>;

/** How long a request to the host may take: a device action through host and server can take seconds, never this long. */
const REQUEST_TIMEOUT_MS = 60_000;
const METHOD_NOT_FOUND = -32601;

export class AppsBridge {
  #nextId = 1;
  readonly #pending = new Map<string | number, { resolve: (result: Params) => void; reject: (error: Error) => void }>();
  readonly #onNotification = new Map<string, (params: Params) => void>();
  readonly #onRequest = new Map<string, (params: Params) => Params>();
  #size = "";

  constructor(private readonly host: Window) {
    addEventListener("message", (event: MessageEvent<unknown>) => {
      if (event.source === host) this.#receive(event.data);
    });
  }

  onNotification(method: string, handler: (params: Params) => void): void {
    this.#onNotification.set(method, handler);
  }

  onRequest(method: string, handler: (params: Params) => Params): void {
    this.#onRequest.set(method, handler);
  }

  /** The handshake: ui/initialize, then ui/notifications/initialized, after which the host sends the tool's input and result. */
  async connect(appInfo: { name: string; version: string }): Promise<InitializeResult> {
    this.onRequest(METHODS.ping, () => ({}));
    const result = InitializeResultSchema.parse(
      await this.request(METHODS.initialize, { protocolVersion: APPS_PROTOCOL_VERSION, appInfo, appCapabilities: { availableDisplayModes: ["inline"] } }),
    );
    this.notify(METHODS.initialized, {});
    this.#reportSize();
    return result;
  }

  /** Asks the host to call one of this server's tools. */
  async callTool(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    return CallToolResultSchema.parse(await this.request(METHODS.callTool, { name, arguments: args }));
  }

  request(method: string, params: Params): Promise<Params> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`The host did not answer ${method}.`));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(id, {
        resolve: (result) => (clearTimeout(timer), resolve(result)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      this.#send({ jsonrpc: "2.0", id, method, params });
    });
  }

  notify(method: string, params: Params): void {
    this.#send({ jsonrpc: "2.0", method, params });
  }

  #send(message: Params): void {
    this.host.postMessage(message, "*");
  }

  #receive(data: unknown): void {
    const request = RequestSchema.safeParse(data);
    if (request.success) return this.#answer(request.data);
    const response = ResponseSchema.safeParse(data);
    if (response.success) {
      const pending = this.#pending.get(response.data.id);
      this.#pending.delete(response.data.id);
      if ("error" in response.data) pending?.reject(new Error(response.data.error.message));
      else pending?.resolve(response.data.result);
      return;
    }
    const notification = NotificationSchema.safeParse(data);
    if (notification.success) this.#onNotification.get(notification.data.method)?.(notification.data.params ?? {});
  }

  #answer({ id, method, params }: z.infer<typeof RequestSchema>): void {
    const handler = this.#onRequest.get(method);
    if (!handler) return this.#send({ jsonrpc: "2.0", id, error: { code: METHOD_NOT_FOUND, message: `The panel does not handle ${method}.` } });
    this.#send({ jsonrpc: "2.0", id, result: handler(params ?? {}) });
  }

  /** Tells the host the document's size whenever it changes, so an inline frame grows with what it shows. */
  #reportSize(): void {
    const observer = new ResizeObserver(() => {
      const box = document.body.getBoundingClientRect();
      const size = { width: Math.ceil(box.width), height: Math.ceil(box.height) };
      const key = `${size.width}x${size.height}`;
      if (key === this.#size) return;
      this.#size = key;
      this.notify(METHODS.sizeChanged, size);
    });
    observer.observe(document.body);
  }
}
