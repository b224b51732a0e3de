import WebSocket from "ws";

/**
 * A dashboard session as a browser holds one: signed in with an API token (the session cookie is all
 * it keeps), its live WebSocket open, opened again a second after it closes (as the page does).
 */
export class DashboardWatcher {
  private socket: WebSocket | undefined;
  private stopped = false;
  messages = 0;
  opens = 0;

  private constructor(
    private readonly origin: string,
    private readonly cookie: string,
  ) {}

  static async signIn(origin: string, token: string): Promise<DashboardWatcher> {
    const response = await fetch(`${origin}/signin`, {
      method: "POST",
      redirect: "manual",
      headers: { Origin: origin, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token, next: "/" }),
    });
    const cookie = response.headers.getSetCookie().map((line) => line.split(";")[0]).find((pair) => pair?.startsWith("jetson_session="));
    if (response.status !== 303 || !cookie) throw new Error(`sign-in answered ${response.status}: ${await response.text()}`);
    const watcher = new DashboardWatcher(origin, cookie);
    watcher.open();
    return watcher;
  }

  private open(): void {
    if (this.stopped) return;
    const socket = new WebSocket(`${this.origin.replace("http", "ws")}/dashboard/live`, { headers: { Origin: this.origin, Cookie: this.cookie } });
    this.socket = socket;
    socket.on("open", () => (this.opens += 1));
    socket.on("message", () => (this.messages += 1));
    socket.on("error", () => undefined);
    socket.on("close", () => setTimeout(() => this.open(), 1_000));
  }

  stop(): void {
    this.stopped = true;
    this.socket?.terminate();
  }
}
