import { CloudUrlSchema } from "@jetson/protocol";

/** A request the fleet answered with an error status; the message holds its reason. */
export class FleetApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The fleet's REST API as the operator's token sees it. */
export class FleetApi {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.send(method, path, body === undefined ? undefined : JSON.stringify(body), { "Content-Type": "application/json" });
  }

  /** A request with a body of any kind (a release's bundle). */
  async send<T>(method: string, path: string, body: string | Uint8Array | undefined, headers: Record<string, string>): Promise<T> {
    if (!this.baseUrl || !this.token) throw new Error("Set JETSON_FLEET_URL (the Worker's URL) and JETSON_FLEET_TOKEN (an API token of the fleet).");
    // Checked before the token is sent anywhere.
    const url = CloudUrlSchema.safeParse(this.baseUrl);
    if (!url.success) throw new Error(`JETSON_FLEET_URL ${this.baseUrl} ${url.error.issues[0]?.message ?? "is not a URL"}: the token would travel in clear text.`);
    const response = await fetch(new URL(path, this.baseUrl), { method, headers: { Authorization: `Bearer ${this.token}`, ...headers }, body });
    const text = await response.text();
    if (!response.ok) {
      const message = safeError(text);
      throw new FleetApiError(`${method} ${path} failed (${response.status}): ${message}`, response.status);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

function safeError(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    return typeof parsed.error === "string" ? parsed.error : text;
  } catch {
    return text;
  }
}
