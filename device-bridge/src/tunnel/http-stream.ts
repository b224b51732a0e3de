import { type ClientRequest, type IncomingMessage, request as httpRequest } from "node:http";
import { forwardableHeaders, type PortFrameOf, ReceiveWindow } from "@jetson/protocol";
import { Outbox } from "./outbox.js";
import type { PortStream, StreamLink } from "./stream.js";

/** Pairs as a node:http header object; repeated names are joined as RFC 9110 allows. */
export function headerObject(pairs: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  return headers;
}

/** Raw header list (name, value, name, value...) as pairs. */
export function rawPairs(raw: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  return pairs;
}

/**
 * An HTTP request to 127.0.0.1:port: the request body arrives in data frames (credit granted back as
 * the local server takes it), the response streams back through an Outbox, paused while out of credit.
 */
export class HttpStream implements PortStream {
  private readonly request: ClientRequest;
  private response: IncomingMessage | undefined;
  private readonly inbound = new ReceiveWindow();
  private readonly outbox: Outbox;
  private answered = false;

  constructor(
    private readonly open: PortFrameOf<"open">,
    private readonly link: StreamLink,
  ) {
    const { stream, port } = open;
    this.outbox = new Outbox(stream, link.send, (reading) => (reading ? this.response?.resume() : this.response?.pause()), () => link.over(stream));
    this.request = httpRequest({
      host: "127.0.0.1",
      port,
      method: open.method,
      path: open.path,
      headers: { ...headerObject(forwardableHeaders(open.headers)), host: `127.0.0.1:${port}` },
      agent: false,
    });
    this.request.on("response", (response) => this.respond(response));
    this.request.on("error", (error) => this.fail(`127.0.0.1:${port}: ${error.message}`));
  }

  data(_frame: PortFrameOf<"data">, body: Uint8Array): void {
    if (body.length === 0) return;
    if (!this.inbound.arrived(body.length)) return this.fail("the cloud sent more than its credit");
    // Copied: the frame's bytes are a view of mqtt.js's packet buffer.
    this.request.write(Buffer.from(body), () => this.link.send({ type: "credit", stream: this.open.stream, bytes: this.inbound.consumed(body.length) }));
  }

  credit(bytes: number): void {
    this.outbox.credit(bytes);
  }

  end(): void {
    this.request.end();
  }

  abort(): void {
    this.outbox.close();
    this.request.destroy();
    this.response?.destroy();
  }

  private respond(response: IncomingMessage): void {
    this.response = response;
    this.answered = true;
    this.link.send({ type: "response", stream: this.open.stream, status: response.statusCode ?? 502, headers: forwardableHeaders(rawPairs(response.rawHeaders)) });
    response.on("data", (chunk: Buffer) => this.outbox.push(chunk));
    response.on("end", () => this.outbox.end());
    response.on("close", () => {
      if (!response.complete) this.fail("the local server ended its response early");
    });
  }

  private fail(reason: string): void {
    this.abort();
    this.link.send({ type: "reset", stream: this.open.stream, reason, ...(!this.answered && { status: 502 }) });
    this.link.over(this.open.stream);
  }
}
