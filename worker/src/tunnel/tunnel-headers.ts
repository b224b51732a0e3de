import { forwardableHeaders } from "@jetson/protocol";

/**
 * What every tunnelled response carries beside the device's own headers. The device's pages are
 * served from the Worker's origin, where the dashboard lives: `sandbox` gives them an opaque origin
 * (their scripts reach neither the dashboard's cookie nor its API), and no Referer carries the URL's
 * secret to sites they link to.
 */
const ADDED: Array<[string, string]> = [
  ["content-security-policy", "sandbox allow-scripts allow-forms allow-popups allow-downloads allow-modals"],
  ["referrer-policy", "no-referrer"],
  ["x-content-type-options", "nosniff"],
];

/**
 * The Worker's own answer under `/t/` (unknown tunnel, device offline, too busy): the same security
 * headers as a device's page, so nothing served on a tunnel URL runs with the Worker's origin.
 */
export function tunnelNotice(status: number, text: string, extra: Record<string, string> = {}): Response {
  const headers = new Headers({ "content-type": "text/plain; charset=utf-8", ...extra });
  for (const [name, value] of ADDED) headers.set(name, value);
  return new Response(`${text}\n`, { status, headers });
}

/** Any tunnel URL that opens nothing (malformed, unknown, closed, expired, a device never provisioned) answers this same 404. */
export const tunnelNotFound = (): Response => tunnelNotice(404, "Not found");

/**
 * The device's response headers that reach the client: what a web app or an API needs to be served
 * through the tunnel, nothing else. A browser acts on many response headers for the whole origin or
 * site, beyond the page itself (Clear-Site-Data signs the dashboard's user out, Strict-Transport-Security,
 * NEL, Report-To, Alt-Svc, Service-Worker-Allowed, Origin-Agent-Cluster, Accept-CH, Set-Login, ...),
 * and browsers keep adding such headers, so what passes is listed, not what does not. Left out
 * besides: Set-Cookie (the dashboard's session lives on this origin), Refresh, WWW-Authenticate and
 * Proxy-Authenticate (a browser keeps credentials typed into that prompt for this origin and hands
 * them to any device's server that asks for the same realm), Content-Location (a URL on the device's
 * side), Link (hints only, nothing fails without them, and `</>` in one names the dashboard, not the
 * device), and the security headers in ADDED, which the Worker sets itself.
 */
const RESPONSE_HEADERS = new Set([
  // The body: what it is, its encoding and language, how to save it, which part of it.
  "content-type", "content-length", "content-encoding", "content-language", "content-disposition", "content-range", "accept-ranges",
  // Caching and conditional requests: each tunnel's URLs are its own, so they touch no other page's cache.
  "cache-control", "expires", "pragma", "etag", "last-modified", "vary", "age",
  // Plain HTTP a client reads.
  "date", "server", "allow", "retry-after",
  // Kept inside the tunnel where it names the device's own server: tunnelLocation.
  "location",
]);

/**
 * CORS: the sandboxed page's origin is `null`, so its own fetches and module scripts are cross-origin
 * requests that need the device's Access-Control-* answers (they expose nothing more: the device
 * never sees this origin's cookies or bearer tokens). X-: since RFC 6648 new browser features no
 * longer take X- names, and the few old ones a browser honours act on the page alone; applications
 * use them (X-Total-Count, X-Request-Id).
 */
const RESPONSE_HEADER_PREFIXES = ["access-control-", "x-"];

/** The device's server in the URLs tunnelLocation resolves (`.invalid` never names a real host). */
const DEVICE_ORIGIN = "http://device.invalid";

/**
 * What the edge adds about the visitor (their address, country, and with Cloudflare Access their
 * signed identity, a credential of this origin): not the device owner's to read.
 */
const EDGE_HEADER = /^(cf-|x-forwarded-|x-real-ip$|true-client-ip$|cdn-loop$)/i;

/**
 * A client's request headers as the device gets them. A bearer Authorization is this origin's own
 * credential (an API or OAuth token a script sends to every URL of the Worker), so it never reaches
 * the device; Basic and other schemes a client sends on its own (curl -u) pass. Neither do the edge's.
 */
export function tunnelRequestHeaders(headers: Headers): Array<[string, string]> {
  return forwardableHeaders(headers.entries()).filter(
    ([name, value]) => !EDGE_HEADER.test(name) && (name.toLowerCase() !== "authorization" || !/^bearer\s/i.test(value)),
  );
}

/**
 * The device's response headers as the client gets them, `path` being the request's path (and query)
 * on the device; throws where a value is not a valid header.
 */
export function tunnelResponseHeaders(pairs: ReadonlyArray<readonly [string, string]>, path: string): Headers {
  const headers = new Headers();
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    if (!RESPONSE_HEADERS.has(lower) && !RESPONSE_HEADER_PREFIXES.some((prefix) => lower.startsWith(prefix))) continue;
    const forwarded = lower === "location" ? tunnelLocation(value, path) : value;
    if (forwarded !== undefined) headers.append(name, forwarded);
  }
  for (const [name, value] of ADDED) headers.set(name, value);
  return headers;
}

/**
 * A Location from the device's server, for the client. One on that server itself (`/login`, or a
 * relative one) becomes relative to the request's URL, so it stays under the tunnel's `/t/<token>/`
 * (which the device's object does not know) as it would on the device: never a page of the Worker's
 * own. Another site's URL passes as it is: the page could send its visitor there by script or link
 * anyway, and apps do (a sign-in elsewhere). One that is no URL is dropped.
 */
function tunnelLocation(location: string, path: string): string | undefined {
  // Joined as text: a path starting with `//` must not be read as a host.
  const request = new URL(`${DEVICE_ORIGIN}${path}`);
  let target: URL;
  try {
    target = new URL(location, request);
  } catch {
    return undefined;
  }
  if (target.origin !== request.origin) return location;
  // Resolved first, so no `..` in it climbs above the device's root; then up from the request's folder to it.
  const depth = request.pathname.split("/").length - 2;
  return `${depth > 0 ? "../".repeat(depth) : "./"}${target.pathname.slice(1)}${target.search}${target.hash}`;
}
