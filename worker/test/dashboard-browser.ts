import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { LiveMessage } from "../src/dashboard/live-messages.js";

/** A browser's side of the dashboard inside workerd: signing in, and the live channel's socket. */

// The dashboard's own origin is the deployment's configured one, whatever Host a request names.
export const ORIGIN = new URL(env.PUBLIC_URL).origin;

export function signIn(secret: string, options: { origin?: string; url?: string; next?: string } = {}) {
  const url = options.url ?? ORIGIN;
  return exports.default.fetch(`${url}/signin`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: options.origin ?? url, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: secret, next: options.next ?? "/" }),
  });
}

/** Signs in and returns the `name=value` to send back as Cookie. */
export async function session(secret: string): Promise<string> {
  const response = await signIn(secret);
  expect(response.status).toBe(303);
  return (response.headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
}

/** Asks for the live channel as a page of the dashboard does: the answer is 101 with a socket, or a refusal. */
export const upgradeLive = (cookie: string, query = "") =>
  exports.default.fetch(`${ORIGIN}/dashboard/live${query}`, { headers: { Upgrade: "websocket", Cookie: cookie, Origin: ORIGIN } });

/** A dashboard's live socket, with every message it receives and its closing awaitable. */
export async function openLive(cookie: string, query = "") {
  const response = await upgradeLive(cookie, query);
  const ws = response.webSocket;
  if (!ws) throw new Error(`no WebSocket: ${response.status}`);
  ws.accept();
  const messages: LiveMessage[] = [];
  let closed: number | undefined;
  let wake = () => {};
  ws.addEventListener("message", (event) => {
    messages.push(JSON.parse(String(event.data)) as LiveMessage);
    wake();
  });
  ws.addEventListener("close", (event) => {
    closed = event.code;
    wake();
  });
  const until = async <T>(check: () => T | undefined): Promise<T> => {
    for (;;) {
      const found = check();
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  return {
    ws,
    messages,
    /** The close code; undefined while the socket is open. */
    code: () => closed,
    /** Waits until `check` answers, after each message or the close. */
    until,
    next: (type: LiveMessage["type"], id?: string) =>
      until(() => messages.find((m) => m.type === type && (id === undefined || (m.type === "upsert" ? m.device.id : m.type === "remove" ? m.id : undefined) === id))),
    closed: () => until(() => closed),
  };
}
