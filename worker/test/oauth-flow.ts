import { env, exports } from "cloudflare:workers";
import { mcpRequest, type Send } from "./mcp-request.js";

/** Sends one request into a Worker: ours by default, or another provider sharing its KV. */
export const worker: Send = (request) => exports.default.fetch(request);

export const BASE = env.PUBLIC_URL;
export const MCP_URL = `${BASE}/mcp`;
export const REDIRECT_URI = "http://127.0.0.1:9999/callback";

export interface Tokens {
  access_token: string;
  refresh_token: string;
  scope: string;
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url(new Uint8Array(digest)) };
}

export function mcp(token: string | undefined, method: string, params: Record<string, unknown> = {}, send = worker, url = MCP_URL) {
  return mcpRequest(token, method, params, { send, url });
}

export interface AuthorizeOptions {
  clientId: string;
  challenge?: string;
  scope?: string;
  resource?: string;
  method?: string;
  base?: string;
  redirectUri?: string;
  send?: Send;
}

export function authorizeUrl({ clientId, challenge, scope = "read operate", resource = MCP_URL, method = "S256", base = BASE, redirectUri = REDIRECT_URI }: AuthorizeOptions): string {
  const url = new URL(`${base}/authorize`);
  const params: Record<string, string | undefined> = {
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri,
    scope,
    state: "st4te",
    resource,
    code_challenge: challenge,
    code_challenge_method: challenge ? method : undefined,
  };
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return url.href;
}

/** The consent page as a browser gets it: the form's handle, and the cookie that binds it to this browser. */
export async function openConsent(options: AuthorizeOptions): Promise<{ url: string; html: string; handle: string; cookie: string; response: Response }> {
  const url = authorizeUrl(options);
  const response = await (options.send ?? worker)(new Request(url));
  const html = await response.text();
  const handle = /name="handle" value="([^"]+)"/.exec(html)?.[1] ?? "";
  const cookie = response.headers.getAll("Set-Cookie").map((c) => c.split(";")[0]).join("; ");
  return { url, html, handle, cookie, response };
}

/** Posts the consent form back to the page's own URL, as the browser would. */
export function submitConsent(
  page: { url: string; handle: string; cookie: string },
  form: { token?: string; scopes?: string[]; decision?: "approve" | "deny" },
  send = worker,
): Promise<Response> {
  const body = new URLSearchParams({ handle: page.handle, decision: form.decision ?? "approve", token: form.token ?? "" });
  for (const scope of form.scopes ?? []) body.append("scope", scope);
  return send(
    new Request(page.url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: page.cookie },
      body,
      redirect: "manual",
    }),
  );
}

export function exchange(params: Record<string, string>, base = BASE, send = worker): Promise<Response> {
  return send(
    new Request(`${base}/oauth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(params),
    }),
  );
}
