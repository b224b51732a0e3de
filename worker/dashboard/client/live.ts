import { type LiveMessage, PING, PONG, SESSION_ENDED, SUPERSEDED } from "../../src/dashboard/live-messages.js";
import { ApiError, getJson, goSignIn } from "./api.js";
import { byId } from "./dom.js";

const KEEPALIVE_MS = 30_000;
const RETRY_MS = { first: 500, max: 15_000 };

function showStatus(text: string, state: "live" | "down"): void {
  const status = byId("live-status");
  status.textContent = text;
  status.dataset.state = state;
}

interface LiveOptions {
  /** Asked after a close, to tell a refused upgrade's reason: a 401 goes to sign-in, a 400 to `onRefused`. */
  check?: string;
  onRefused?: (message: string) => void;
}

/**
 * The fleet's push channel: the registry sends a snapshot when the socket opens and every
 * change after it. The socket reopens by itself; each snapshot replaces what the page had.
 * Returns what closes it for good (the page asks for another page or other filters).
 */
export function connectLive(query: string, onMessage: (message: LiveMessage) => void, { check = "/dashboard/api/session", onRefused }: LiveOptions = {}): () => void {
  let retryMs = RETRY_MS.first;
  let closed = false;
  let current: WebSocket | undefined;
  const open = () => {
    if (closed) return;
    const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/dashboard/live${query}`);
    current = ws;
    let keepalive: ReturnType<typeof setInterval> | undefined;
    ws.addEventListener("open", () => {
      retryMs = RETRY_MS.first;
      showStatus("Live", "live");
      keepalive = setInterval(() => ws.send(PING), KEEPALIVE_MS);
    });
    ws.addEventListener("message", (event: MessageEvent<string>) => {
      if (event.data !== PONG && !closed) onMessage(JSON.parse(event.data) as LiveMessage);
    });
    ws.addEventListener("close", (event) => {
      clearInterval(keepalive);
      if (closed) return;
      if (event.code === SESSION_ENDED) goSignIn();
      // Reopening would close another of this token's tabs, which would reopen in turn.
      if (event.code === SUPERSEDED) return showStatus("Paused: open in too many other tabs. Reload to resume.", "down");
      showStatus("Reconnecting…", "down");
      // A refused upgrade closes without a reason: ask why (a 401 goes to sign-in, a 400 is the page's to mend).
      setTimeout(() => {
        getJson(check).then(open, (error: unknown) => {
          if (error instanceof ApiError && error.status === 400 && onRefused) onRefused(error.message);
          else if (!(error instanceof ApiError && error.status === 401)) open();
        });
      }, retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_MS.max);
    });
  };
  open();
  return () => {
    closed = true;
    current?.close(1000, "page changed");
  };
}
