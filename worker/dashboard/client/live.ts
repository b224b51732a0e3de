import { type LiveMessage, PING, PONG, SESSION_ENDED } from "../../src/dashboard/live-messages.js";
import { ApiError, getJson, goSignIn } from "./api.js";
import { byId } from "./dom.js";

const KEEPALIVE_MS = 30_000;
const RETRY_MS = { first: 500, max: 15_000 };

function showStatus(text: string, state: "live" | "down"): void {
  const status = byId("live-status");
  status.textContent = text;
  status.dataset.state = state;
}

/**
 * The fleet's push channel: the registry sends a snapshot when the socket opens and every
 * change after it. The socket reopens by itself; each snapshot replaces what the page had.
 */
export function connectLive(query: string, onMessage: (message: LiveMessage) => void): void {
  let retryMs = RETRY_MS.first;
  const open = () => {
    const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/dashboard/live${query}`);
    let keepalive: ReturnType<typeof setInterval> | undefined;
    ws.addEventListener("open", () => {
      retryMs = RETRY_MS.first;
      showStatus("Live", "live");
      keepalive = setInterval(() => ws.send(PING), KEEPALIVE_MS);
    });
    ws.addEventListener("message", (event: MessageEvent<string>) => {
      if (event.data !== PONG) onMessage(JSON.parse(event.data) as LiveMessage);
    });
    ws.addEventListener("close", (event) => {
      clearInterval(keepalive);
      if (event.code === SESSION_ENDED) goSignIn();
      showStatus("Reconnecting…", "down");
      // A refused upgrade closes without a reason: ask whether the session still holds (a 401 goes to sign-in).
      setTimeout(() => {
        getJson("/dashboard/api/session").then(open, (error: unknown) => {
          if (!(error instanceof ApiError && error.status === 401)) open();
        });
      }, retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_MS.max);
    });
  };
  open();
}
