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
 * A client's request headers as the device gets them. A bearer Authorization is this origin's own
 * credential (an API or OAuth token a script sends to every URL of the Worker), so it never reaches
 * the device; Basic and other schemes a device's server may ask for pass.
 */
export function tunnelRequestHeaders(headers: Headers): Array<[string, string]> {
  return forwardableHeaders(headers.entries()).filter(([name, value]) => name.toLowerCase() !== "authorization" || !/^bearer\s/i.test(value));
}

/** The device's response headers as the client gets them; throws where a value is not a valid header. */
export function tunnelResponseHeaders(pairs: ReadonlyArray<readonly [string, string]>): Headers {
  const headers = new Headers();
  for (const [name, value] of forwardableHeaders(pairs)) {
    if (!ADDED.some(([added]) => added === name.toLowerCase())) headers.append(name, value);
  }
  for (const [name, value] of ADDED) headers.set(name, value);
  return headers;
}
