/**
 * A tunnel URL is `/t/<token>/<path>`. The token is the device object's id (64 hex digits), so the
 * Worker reaches the object without a lookup, then the secret (43 base64url characters, 256 bits)
 * that object keeps only hashed. The Worker hands the object `/t/<secret><path>`.
 */
const SECRET = "[A-Za-z0-9_-]{43}";
const WORKER_PATH = new RegExp(`^/t/([0-9a-f]{64})(${SECRET})(/.*)?$`);
const OBJECT_PATH = new RegExp(`^/t/(${SECRET})(/.*)?$`);

export function portTunnelToken(objectId: DurableObjectId, secret: string): string {
  return `${objectId.toString()}${secret}`;
}

/** A `/t/<token>/...` URL as the Worker got it: the object to ask, and the URL to ask it with. */
export function parseTunnelPath(url: URL): { objectId: string; objectUrl: string } | undefined {
  const match = WORKER_PATH.exec(url.pathname);
  return match ? { objectId: match[1]!, objectUrl: `https://device/t/${match[2]!}${match[3] ?? "/"}${url.search}` } : undefined;
}

/** A port tunnel request as the object got it: the secret, and the path (with query) for the device. */
export function portTunnelRequest(request: Request): { secret: string; path: string } | undefined {
  const url = new URL(request.url);
  const match = OBJECT_PATH.exec(url.pathname);
  return match ? { secret: match[1]!, path: `${match[2] ?? "/"}${url.search}` } : undefined;
}
