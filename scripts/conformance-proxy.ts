import { createServer, request as forward, type Server } from "node:http";

/**
 * The conformance suite connects to a server URL with no way to send a bearer token, and our
 * /mcp refuses requests without one. This reverse proxy stands where a deployment's front end
 * would: it passes each request through unchanged (Host and Origin included, so the Worker
 * still judges them, e.g. in the DNS rebinding scenario) and adds the fleet token to requests
 * that carry no Authorization of their own. Responses, event streams included, flow back as
 * they come.
 */
export class AuthenticatingProxy {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(options: { port: number; target: URL; token: string }): Promise<AuthenticatingProxy> {
    const server = createServer((incoming, outgoing) => {
      const headers = { ...incoming.headers };
      headers.authorization ??= `Bearer ${options.token}`;
      const upstream = forward(
        { hostname: options.target.hostname, port: options.target.port, method: incoming.method, path: incoming.url, headers },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        },
      );
      upstream.on("error", (error) => {
        if (!outgoing.headersSent) outgoing.writeHead(502, { "Content-Type": "text/plain" });
        outgoing.end(`proxy: ${error.message}`);
      });
      // The suite may drop a stream it has read enough of; stop the Worker's side with it.
      outgoing.on("close", () => upstream.destroy());
      incoming.pipe(upstream);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, "127.0.0.1", resolve);
    });
    return new AuthenticatingProxy(server, `http://127.0.0.1:${options.port}`);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
