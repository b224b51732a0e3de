// For tests: an HTTP server whose downloads are held half way, so a test can act while they are under way.
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface HeldDownloads {
  url: string;
  /** Settles once `count` downloads have had their first half. */
  started(count: number): Promise<void>;
  /** Sends the rest of every download begun so far. */
  sendRest(): void;
  close(): Promise<void>;
}

/**
 * Serves each body of `held` (by the end of the request's path) in two halves, the second only on
 * sendRest, and each text of `whole` at once; anything else is 404.
 */
export async function heldDownloads(held: Record<string, Buffer>, whole: Record<string, string> = {}): Promise<HeldDownloads> {
  const halfway: Array<{ response: ServerResponse; rest: Buffer }> = [];
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  let begun = 0;
  const server = createServer((request, response) => {
    const ending = (table: Record<string, unknown>) => Object.keys(table).find((tail) => request.url?.endsWith(tail));
    const text = ending(whole);
    if (text !== undefined) return void response.end(whole[text]);
    const name = ending(held);
    const body = name === undefined ? undefined : held[name];
    if (!body) return void response.writeHead(404).end();
    response.writeHead(200, { "Content-Length": body.byteLength });
    response.write(body.subarray(0, body.byteLength / 2), () => {
      begun++;
      for (const waiter of waiting.filter((w) => w.count <= begun)) waiter.resolve();
    });
    halfway.push({ response, rest: body.subarray(body.byteLength / 2) });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    started: (count) => (count <= begun ? Promise.resolve() : new Promise((resolve) => waiting.push({ count, resolve }))),
    sendRest: () => halfway.splice(0).forEach(({ response, rest }) => response.end(rest)),
    close: () => new Promise((resolve) => server.close(() => resolve()).closeAllConnections()),
  };
}
