import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** The CSP the MCP Apps spec tells a host to apply to a view whose resource declares no domains. */
export const APPS_DEFAULT_CSP =
  "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self' data:; connect-src 'none'";

/**
 * A small chat host for MCP Apps views on 127.0.0.1: its page (apps-host.html) at `/`, the
 * view's HTML at `/view` under the spec's default CSP, whose violations the browser reports
 * to `/csp-report` and `violations` keeps.
 */
export async function startAppsHost(viewHtml: string): Promise<{ url: string; violations: string[]; close(): Promise<void> }> {
  const violations: string[] = [];
  const hostPage = await readFile(new URL("apps-host.html", import.meta.url), "utf8");
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://host").pathname;
    if (path === "/") {
      response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(hostPage);
    } else if (path === "/view") {
      response.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": `${APPS_DEFAULT_CSP}; report-uri /csp-report` }).end(viewHtml);
    } else if (path === "/csp-report" && request.method === "POST") {
      let report = "";
      request.on("data", (chunk: Buffer) => (report += chunk.toString()));
      request.on("end", () => {
        violations.push(report);
        response.writeHead(204).end();
      });
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    violations,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
