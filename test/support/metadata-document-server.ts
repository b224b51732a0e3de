import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { TestProject } from "vitest/node";

/** Where the test clients of these documents say they receive their codes. */
export const DOCUMENT_REDIRECT_URI = "http://127.0.0.1:9999/callback";
export const DOCUMENT_CLIENT_NAME = "Document Assistant";

/** A valid Client ID Metadata Document for the client whose id is `url`. */
function validDocument(url: string): Record<string, unknown> {
  return {
    client_id: url,
    client_name: DOCUMENT_CLIENT_NAME,
    client_uri: new URL("/", url).href,
    logo_uri: new URL("/logo.png", url).href,
    redirect_uris: [DOCUMENT_REDIRECT_URI],
    token_endpoint_auth_method: "none",
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
  };
}

const json = { "Content-Type": "application/json" };

/**
 * How each document is served, by name (`/docs/<name>`): a good one, and one for each way a
 * document server can go wrong. `url` is the document's own address, its client id; `served`
 * counts the requests for it, this one included.
 */
const BEHAVIOURS: Record<string, (url: string, response: ServerResponse, served: number) => void> = {
  "assistant.json": (url, response) => response.writeHead(200, json).end(JSON.stringify(validDocument(url))),
  // A year's max-age: the authorization server keeps it no longer than its own bound.
  "cached.json": (url, response) =>
    response.writeHead(200, { ...json, "Cache-Control": "public, max-age=31536000" }).end(JSON.stringify(validDocument(url))),
  "other-id.json": (_url, response) => response.writeHead(200, json).end(JSON.stringify(validDocument("https://assistant.example/client.json"))),
  "html.json": (url, response) => response.writeHead(200, { "Content-Type": "text/html" }).end(JSON.stringify(validDocument(url))),
  "with-secret.json": (url, response) => response.writeHead(200, json).end(JSON.stringify({ ...validDocument(url), client_secret: "s3cret" })),
  "confidential.json": (url, response) =>
    response.writeHead(200, json).end(JSON.stringify({ ...validDocument(url), token_endpoint_auth_method: "client_secret_basic" })),
  "no-redirects.json": (url, response) => response.writeHead(200, json).end(JSON.stringify({ ...validDocument(url), redirect_uris: [] })),
  "script-redirect.json": (url, response) =>
    response.writeHead(200, json).end(JSON.stringify({ ...validDocument(url), redirect_uris: [DOCUMENT_REDIRECT_URI, "javascript:alert(1)"] })),
  // Following this redirect would find a document valid for this very URL.
  "moved.json": (url, response) => response.writeHead(302, { Location: new URL("/docs/moved-here.json", url).href }).end(),
  "moved-here.json": (url, response) => response.writeHead(200, json).end(JSON.stringify(validDocument(new URL("/docs/moved.json", url).href))),
  // No Content-Length and no end: only a reader that counts as it reads stops.
  "endless.json": (_url, response) => {
    response.writeHead(200, json);
    const chunk = " ".repeat(1024);
    const more = () => {
      while (response.write(chunk));
    };
    response.on("drain", more);
    response.write("{");
    more();
  },
  // Takes the request and never answers.
  "silent.json": () => undefined,
  // Drops the connection without an answer: the runtime's own error, whose words are its own.
  "hangup.json": (_url, response) => response.socket?.destroy(),
  // Valid each time, but its redirect URI moves after the first fetch (between a consent page and its approval).
  "moving.json": (url, response, served) =>
    response.writeHead(200, json).end(JSON.stringify({ ...validDocument(url), redirect_uris: [served === 1 ? DOCUMENT_REDIRECT_URI : "http://127.0.0.1:9999/moved"] })),
};

/**
 * A small HTTP server on 127.0.0.1 that serves Client ID Metadata Documents, counting the
 * requests for each (`GET /hits/<name>`), so a test can tell whether a document was fetched.
 */
export class MetadataDocumentServer {
  private readonly hits = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private readonly server: Server = createServer((request, response) => this.serve(request, response));

  private constructor() {
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  static async start(): Promise<MetadataDocumentServer> {
    const documents = new MetadataDocumentServer();
    await new Promise<void>((resolve, reject) => {
      documents.server.once("error", reject);
      documents.server.listen(0, "127.0.0.1", resolve);
    });
    return documents;
  }

  get origin(): string {
    const address = this.server.address();
    if (address === null || typeof address === "string") throw new Error("the metadata document server is not listening");
    return `http://127.0.0.1:${address.port}`;
  }

  /** The client id (the document's URL) of a document by name. */
  url(name: string): string {
    return `${this.origin}/docs/${name}`;
  }

  private serve(request: IncomingMessage, response: ServerResponse): void {
    const path = new URL(request.url ?? "/", this.origin).pathname;
    const [, kind, name = ""] = path.split("/");
    if (kind === "hits") {
      response.writeHead(200, json).end(JSON.stringify({ hits: this.hits.get(name) ?? 0 }));
      return;
    }
    const behaviour = BEHAVIOURS[name];
    if (kind !== "docs" || !behaviour) {
      response.writeHead(404).end();
      return;
    }
    const served = (this.hits.get(name) ?? 0) + 1;
    this.hits.set(name, served);
    behaviour(this.url(name), response, served);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

declare module "vitest" {
  interface ProvidedContext {
    /** The origin of the metadata document server the Worker's tests fetch from. */
    metadataDocumentOrigin: string;
  }
}

/** Vitest global setup for the Worker's tests: they run inside workerd and cannot listen themselves. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const documents = await MetadataDocumentServer.start();
  project.provide("metadataDocumentOrigin", documents.origin);
  return () => documents.stop();
}
