import { createExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createOAuthProvider } from "../src/oauth/provider.js";
import { REGISTRATIONS_PER_MINUTE } from "../src/oauth/registration-limit.js";
import { createFleet } from "./device-client.js";
import { withFrozenClock } from "./frozen-clock.js";
import type { McpAnswer, Send } from "./mcp-request.js";
import { type AuthorizeOptions, BASE, authorizeUrl, exchange, MCP_URL, mcp, openConsent, pkcePair, REDIRECT_URI, submitConsent, type Tokens, worker } from "./oauth-flow.js";

interface ServerMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  registration_endpoint: string;
  revocation_endpoint: string;
  scopes_supported: string[];
  code_challenge_methods_supported: string[];
}

/** What an MCP client does after a 401: protected resource metadata, then the authorization server's. */
async function discover(): Promise<ServerMetadata> {
  const { response } = await mcp(undefined, "tools/list");
  expect(response.status).toBe(401);
  const challenge = response.headers.get("WWW-Authenticate") ?? "";
  const resourceMetadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
  expect(resourceMetadataUrl).toBe(`${BASE}/.well-known/oauth-protected-resource/mcp`);
  const resource = (await (await worker(new Request(resourceMetadataUrl ?? ""))).json()) as { resource: string; authorization_servers: string[] };
  expect(resource.resource).toBe(MCP_URL);
  expect(resource.authorization_servers).toEqual([BASE]);
  const server = await worker(new Request(`${resource.authorization_servers[0]}/.well-known/oauth-authorization-server`));
  expect(server.status).toBe(200);
  return (await server.json()) as ServerMetadata;
}

/** What an MCP client sends to register itself as a public client (RFC 7591). */
function registration(name = "Test assistant", redirectUris = [REDIRECT_URI]): Record<string, unknown> {
  return {
    client_name: name,
    redirect_uris: redirectUris,
    token_endpoint_auth_method: "none",
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
  };
}

function registerRequest(body: BodyInit, base = BASE): Request {
  return new Request(`${base}/oauth/register`, { method: "POST", headers: { "Content-Type": "application/json" }, body });
}

/** Dynamic client registration (RFC 7591) of a public client, as MCP clients do. */
async function register(base = BASE, send = worker, name = "Test assistant", redirectUris = [REDIRECT_URI]): Promise<string> {
  const response = await send(registerRequest(JSON.stringify(registration(name, redirectUris)), base));
  expect(response.status).toBe(201);
  return ((await response.json()) as { client_id: string }).client_id;
}

/** A body of `bytes` bytes of form data that declares no length, made as it is read; `pulled` says how much was. */
function streamedForm(bytes: number): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      controller.enqueue(chunk);
      sent += chunk.byteLength;
    },
  });
  return { body, pulled: () => sent };
}

/** The whole browser-side flow up to the authorization code. */
async function authorize(admin: string, scopes: string[], options: Partial<AuthorizeOptions> = {}) {
  const clientId = options.clientId ?? (await register(options.base, options.send));
  const pkce = await pkcePair();
  const page = await openConsent({ ...options, clientId, challenge: pkce.challenge });
  expect(page.response.status).toBe(200);
  const redirect = await submitConsent(page, { token: admin, scopes }, options.send);
  expect(redirect.status).toBe(302);
  const location = new URL(redirect.headers.get("Location") ?? "");
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
  expect(location.searchParams.get("state")).toBe("st4te");
  return { clientId, verifier: pkce.verifier, code: location.searchParams.get("code") ?? "" };
}

/** An access token for `scopes`, approved with the fleet administrator's token. */
async function accessToken(admin: string, scopes: string[]): Promise<Tokens & { clientId: string }> {
  const { clientId, verifier, code } = await authorize(admin, scopes);
  const response = await exchange({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, client_id: clientId, code_verifier: verifier });
  expect(response.status).toBe(200);
  return { ...((await response.json()) as Tokens), clientId };
}

function rest(token: string, method: string, path: string, body?: unknown) {
  return exports.default.fetch(`http://w${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function apiToken(admin: string, name: string, scopes: string[]): Promise<string> {
  const response = await rest(admin, "POST", "/api/tokens", { name, scopes });
  expect(response.status).toBe(201);
  return ((await response.json()) as { token: string }).token;
}

interface ListedTool {
  name: string;
  annotations?: { readOnlyHint?: boolean };
  inputSchema: { properties?: Record<string, { type?: string; enum?: unknown[]; minimum?: number }>; required?: string[] };
}

/** Schema-valid arguments for a tool: the least each required property accepts. */
function minimalArguments(tool: ListedTool, device: string): Record<string, unknown> {
  const args: Record<string, unknown> = { device };
  for (const name of tool.inputSchema.required ?? []) {
    const property = tool.inputSchema.properties?.[name];
    if (name === "device" || !property) continue;
    args[name] = property.enum?.[0] ?? (property.type === "boolean" ? false : property.type === "string" ? "x" : (property.minimum ?? 0));
  }
  return args;
}

let admin: string;

/** What /mcp answers a caller over its rate limit, whichever its credential. */
const RATE_LIMITED = { error: "temporarily_unavailable", error_description: "Too many requests for this token" };

beforeAll(async () => {
  admin = await createFleet("oauth");
  expect((await rest(admin, "POST", "/api/devices", { id: "oauth-cam" })).status).toBe(201);
});

describe("discovery", () => {
  it("answers an unauthenticated /mcp with 401 and a challenge naming the metadata, which describes the endpoints", async () => {
    const server = await discover();
    expect(server).toMatchObject({
      issuer: BASE,
      authorization_endpoint: `${BASE}/authorize`,
      token_endpoint: `${BASE}/oauth/token`,
      registration_endpoint: `${BASE}/oauth/register`,
      revocation_endpoint: `${BASE}/oauth/token`,
      code_challenge_methods_supported: ["S256"],
      scopes_supported: ["read", "operate", "admin"],
    });
    expect((await worker(new Request(MCP_URL))).status).toBe(401);
  });
});

describe("the authorization code flow with PKCE", () => {
  it("discovers, registers, asks an operator, exchanges the code and calls a tool with the granted scope only", async () => {
    // Everything below lives where discovery said (the endpoint paths are checked above).
    const { issuer } = await discover();
    const clientId = await register(issuer, worker, `<script>alert("x")</script> Assistant`);
    const pkce = await pkcePair();
    const page = await openConsent({ clientId, challenge: pkce.challenge, scope: "read operate", base: issuer });
    expect(page.response.status).toBe(200);
    expect(page.response.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
    expect(page.html).toContain("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; Assistant");
    expect(page.html).not.toContain("<script>");
    expect(page.html).toMatch(/value="read" checked/);
    expect(page.html).toMatch(/value="operate" checked/);
    expect(page.html).not.toMatch(/value="admin"/);
    expect(page.html).toContain("Access will be sent to <strong>127.0.0.1</strong>");
    expect(page.html).toContain("an app on your computer");

    // The operator signs in with the fleet's admin token and grants read only.
    const redirect = await submitConsent(page, { token: admin, scopes: ["read"] });
    expect(redirect.status).toBe(302);
    const location = new URL(redirect.headers.get("Location") ?? "");
    expect(location.searchParams.get("iss")).toBe(issuer);
    const tokenResponse = await exchange(
      {
        grant_type: "authorization_code",
        code: location.searchParams.get("code") ?? "",
        redirect_uri: REDIRECT_URI,
        client_id: clientId,
        code_verifier: pkce.verifier,
        resource: MCP_URL,
      },
      issuer,
    );
    expect(tokenResponse.status).toBe(200);
    const tokens = (await tokenResponse.json()) as Tokens;
    expect(tokens.scope).toBe("read");

    const listed = await mcp(tokens.access_token, "tools/call", { name: "list_devices", arguments: {} });
    expect(listed.response.status).toBe(200);
    expect(listed.body.result?.isError).toBeFalsy();
    expect(JSON.stringify(listed.body.result?.structuredContent)).toContain("oauth-cam");

    const tools = (await mcp(tokens.access_token, "tools/list")).body.result?.tools as ListedTool[];
    const changing = tools
      .filter((tool) => tool.annotations?.readOnlyHint === false)
      .sort((a, b) => (a.inputSchema.required?.length ?? 0) - (b.inputSchema.required?.length ?? 0))[0];
    expect(changing, "a tool that changes state").toBeDefined();
    const refused = await mcp(tokens.access_token, "tools/call", { name: changing?.name, arguments: minimalArguments(changing as ListedTool, "oauth-cam") });
    expect(refused.body.result?.isError).toBe(true);
    expect(refused.body.result?.content?.[0]?.text).toMatch(/needs the "operate" scope; this caller has read/);

    // The audit trail names the OAuth client and the operator who approved it.
    const audit = (await (await rest(admin, "GET", "/api/audit?device=oauth-cam")).json()) as { entries: Array<{ caller: string; outcome: string }> };
    expect(audit.entries.at(-1)).toMatchObject({ caller: expect.stringMatching(new RegExp(`^oauth:${clientId} \\(tok_`)), outcome: "refused" });
  });

  it("answers GET and DELETE on /mcp with 405 for an authorized caller", async () => {
    const { access_token } = await accessToken(admin, ["read"]);
    for (const method of ["GET", "DELETE"]) {
      const response = await worker(new Request(MCP_URL, { method, headers: { Authorization: `Bearer ${access_token}` } }));
      expect(response.status, method).toBe(405);
    }
  });

  it("refuses a wrong PKCE verifier, and an authorization request without PKCE or with plain PKCE", async () => {
    const { clientId, code } = await authorize(admin, ["read"]);
    const wrong = await exchange({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, client_id: clientId, code_verifier: (await pkcePair()).verifier });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: "invalid_grant" });

    const refusals: Array<[string, RegExp]> = [
      [authorizeUrl({ clientId }), /must use PKCE/],
      [authorizeUrl({ clientId, challenge: "x".repeat(43), method: "plain" }), /plain PKCE method is not allowed/],
    ];
    for (const [request, reason] of refusals) {
      const response = await worker(new Request(request, { redirect: "manual" }));
      expect(response.status).toBe(400);
      expect(response.headers.get("Location")).toBeNull();
      expect(await response.text()).toMatch(reason);
    }
  });

  it("answers a request found wrong before the operator decides with a page, never a redirect to the client", async () => {
    // Anyone can register any redirect URI: sending errors there would make /authorize an open redirect (RFC 9700 4.11.2).
    const phish = "https://evil.example/phish";
    const clientId = await register(BASE, worker, "Not a phish", [phish]);
    const challenge = (await pkcePair()).challenge;
    const refusals: Array<[string, RegExp]> = [
      [authorizeUrl({ clientId, redirectUri: phish }), /must use PKCE/],
      [authorizeUrl({ clientId, redirectUri: phish, challenge, method: "plain" }), /plain PKCE method is not allowed/],
      [authorizeUrl({ clientId, redirectUri: phish, challenge, resource: "https://elsewhere.example/mcp" }), /resource/i],
      [authorizeUrl({ clientId, redirectUri: phish, challenge }).replace("response_type=code", "response_type=token"), /response_type/],
    ];
    for (const [request, reason] of refusals) {
      const response = await worker(new Request(request, { redirect: "manual" }));
      expect(response.status, request).toBe(400);
      expect(response.headers.get("Location"), request).toBeNull();
      const html = await response.text();
      expect(html, request).toContain("<h1>Authorization failed</h1>");
      expect(html, request).toMatch(reason);
    }
    // The operator's own decision still goes back to the client.
    const page = await openConsent({ clientId, challenge, redirectUri: phish });
    expect(page.response.status).toBe(200);
    const denied = await submitConsent(page, { decision: "deny" });
    expect(denied.status).toBe(302);
    expect(new URL(denied.headers.get("Location") ?? "").searchParams.get("error")).toBe("access_denied");
  });

  it("sends access_denied back when the operator denies", async () => {
    const clientId = await register();
    const page = await openConsent({ clientId, challenge: (await pkcePair()).challenge });
    const denied = await submitConsent(page, { decision: "deny" });
    expect(denied.status).toBe(302);
    const location = new URL(denied.headers.get("Location") ?? "");
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("state")).toBe("st4te");
  });

  it("grants nothing without a live admin token of the fleet, nor more than that token has", async () => {
    const clientId = await register();
    const page = await openConsent({ clientId, challenge: (await pkcePair()).challenge, scope: "read operate admin" });
    const reader = await apiToken(admin, "reader", ["read"]);
    const adminOnly = await apiToken(admin, "admin only", ["admin"]);
    const attempts: Array<[string, string[], number, RegExp]> = [
      ["jft_oauth_madeupmadeupmadeupmadeup", ["read"], 403, /not a live API token/],
      [reader, ["read"], 403, /does not have the admin scope/],
      [adminOnly, ["read", "operate"], 403, /cannot grant read, operate/],
      [admin, [], 400, /Tick at least one scope/],
    ];
    for (const [token, scopes, status, message] of attempts) {
      const response = await submitConsent(page, { token, scopes });
      expect(response.status).toBe(status);
      expect(response.headers.get("Location")).toBeNull();
      expect(await response.text()).toMatch(message);
    }
    // The first handle was never used, so the operator can still approve.
    expect((await submitConsent(page, { token: adminOnly, scopes: ["admin"] })).status).toBe(302);
  });

  it("binds the consent form to the browser that opened it, once", async () => {
    const clientId = await register();
    const page = await openConsent({ clientId, challenge: (await pkcePair()).challenge });
    const forged = await submitConsent({ ...page, cookie: "" }, { token: admin, scopes: ["read"] });
    expect(forged.status).toBe(400);
    expect(await forged.text()).toMatch(/not started in this browser/);
    expect((await submitConsent(page, { token: admin, scopes: ["read"] })).status).toBe(302);
    const replayed = await submitConsent(page, { token: admin, scopes: ["read"] });
    expect(replayed.status).toBe(400);
    expect(await replayed.text()).toMatch(/expired or was already used/);
  });

  it("answers a consent body that is not a form with 400, changing nothing", async () => {
    // No sign-in and no transaction needed: the body alone was a 500.
    const bare = await worker(new Request(`${BASE}/authorize`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }));
    expect(bare.status).toBe(400);
    expect(await bare.text()).toContain("Send the form as application/x-www-form-urlencoded.");

    const page = await openConsent({ clientId: await register(), challenge: (await pkcePair()).challenge });
    const form = `handle=${encodeURIComponent(page.handle)}&decision=approve&token=${admin}&scope=read`;
    const bodies: Array<[string | undefined, BodyInit]> = [
      ["application/json", JSON.stringify({ handle: page.handle, decision: "approve", token: admin, scope: "read" })],
      // A byte body gets no Content-Type of its own.
      [undefined, new TextEncoder().encode(form)],
      ["multipart/form-data", form],
      ["multipart/form-data; boundary=xyz", "--xyz\r\ngarbage"],
    ];
    for (const [type, body] of bodies) {
      const headers: Record<string, string> = { Cookie: page.cookie, ...(type && { "Content-Type": type }) };
      const response = await worker(new Request(page.url, { method: "POST", headers, body, redirect: "manual" }));
      expect(response.status, type).toBe(400);
      expect(response.headers.get("Location"), type).toBeNull();
      expect(await response.text(), type).toContain("Send the form as application/x-www-form-urlencoded.");
    }
    // The handle was never used: the operator can still approve.
    expect((await submitConsent(page, { token: admin, scopes: ["read"] })).status).toBe(302);
  });

  it("refuses a consent form over 16 KiB with 413 without reading it whole, changing nothing", async () => {
    const page = await openConsent({ clientId: await register(), challenge: (await pkcePair()).challenge });
    const form = `handle=${encodeURIComponent(page.handle)}&decision=approve&token=${admin}&scope=read&pad=`;
    const headers = { Cookie: page.cookie, "Content-Type": "application/x-www-form-urlencoded" };
    const declared = await worker(new Request(page.url, { method: "POST", headers, body: form + "x".repeat(5 * 1024 * 1024), redirect: "manual" }));
    expect(declared.status).toBe(413);
    expect(await declared.text()).toContain("The form is larger than 16 KiB.");
    // Without a Content-Length, the body is counted as it arrives.
    const bytes = new TextEncoder().encode(form + "x".repeat(16 * 1024));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    const streamed = await worker(new Request(page.url, { method: "POST", headers, body, redirect: "manual" }));
    expect(streamed.status).toBe(413);
    expect((await submitConsent(page, { token: admin, scopes: ["read"] })).status).toBe(302);
  });
});

describe("the bodies the OAuth endpoints read", () => {
  it("refuse a token request over 256 KiB with 413, counting one that declares no length as it arrives", async () => {
    const limit = 256 * 1024;
    const form = { "Content-Type": "application/x-www-form-urlencoded" };
    const declared = await worker(new Request(`${BASE}/oauth/token`, { method: "POST", headers: form, body: `grant_type=refresh_token&pad=${"x".repeat(limit)}` }));
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: "invalid_request", error_description: `The request body is larger than ${limit} bytes.` });

    const endless = streamedForm(40 * 1024 * 1024);
    const streamed = await worker(new Request(`${BASE}/oauth/token`, { method: "POST", headers: form, body: endless.body }));
    expect(streamed.status).toBe(413);
    expect(endless.pulled(), "read no further than it had to").toBeLessThan(4 * 1024 * 1024);

    // A token request within the limit is answered as before.
    const { clientId, code, verifier } = await authorize(admin, ["read"]);
    const padded = await exchange({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, client_id: clientId, code_verifier: verifier, pad: "x".repeat(limit / 2) });
    expect(padded.status).toBe(200);
  });

  it("take a registration only within a metadata document's bounds: 5 KiB of body, a name of 100 characters, 20 redirect URIs", async () => {
    const atLimits = await worker(registerRequest(JSON.stringify(registration("n".repeat(100), Array.from({ length: 20 }, (_, i) => `http://127.0.0.1:${9000 + i}/callback`)))));
    expect(atLimits.status).toBe(201);

    const refusals: Array<[Record<string, unknown>, RegExp]> = [
      [registration("n".repeat(101)), /client_name: /],
      [registration("Many", Array.from({ length: 21 }, (_, i) => `http://127.0.0.1:${9000 + i}/callback`)), /redirect_uris: /],
    ];
    for (const [metadata, reason] of refusals) {
      const response = await worker(registerRequest(JSON.stringify(metadata)));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_client_metadata", error_description: expect.stringMatching(reason) });
    }

    const huge = await worker(registerRequest(JSON.stringify(registration("n".repeat(900 * 1024)))));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: "invalid_request", error_description: "The request body is larger than 5120 bytes." });
    const streamed = await worker(registerRequest(streamedForm(6 * 1024).body));
    expect(streamed.status).toBe(413);
  });

  it("take at most 10 a minute from one address, as Cloudflare's edge names it, and go on taking them from others", async () => {
    const from = (address: string) => (request: Request) => worker(new Request(request, { headers: { ...Object.fromEntries(request.headers), "CF-Connecting-IP": address } }));
    for (let i = 0; i < REGISTRATIONS_PER_MINUTE; i++) await register(BASE, from("203.0.113.7"));
    const refused = await from("203.0.113.7")(registerRequest(JSON.stringify(registration())));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("60");
    expect(await refused.json()).toMatchObject({ error: "temporarily_unavailable", error_description: expect.stringMatching(/registered 10 clients in the last minute/) });
    // Another address, and a request that came without the edge (wrangler dev), still register.
    await register(BASE, from("198.51.100.20"));
    await register();
  });
});

describe("access tokens", () => {
  it("refuses a request for another resource, and a token issued for another resource", async () => {
    const clientId = await register();
    const elsewhere = "https://elsewhere.example/mcp";
    const asked = await worker(new Request(authorizeUrl({ clientId, challenge: (await pkcePair()).challenge, resource: elsewhere }), { redirect: "manual" }));
    expect(asked.status).toBe(400);
    expect(asked.headers.get("Location")).toBeNull();

    const { code, verifier } = await authorize(admin, ["read"], { clientId });
    const retargeted = await exchange({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, client_id: clientId, code_verifier: verifier, resource: elsewhere });
    expect(retargeted.status).toBe(400);
    expect(await retargeted.json()).toMatchObject({ error: "invalid_target" });

    // Another resource served by the same authorization server (same KV) issues a real token for itself.
    const otherBase = "https://other.example";
    const other = createOAuthProvider(otherBase);
    // Its own env copy: the provider attaches its helpers (OAUTH_PROVIDER) to the env it is given.
    const otherSend: Send = (request) => other.fetch(request, { ...env, OAUTH_PROVIDER: undefined }, createExecutionContext());
    const issued = await authorize(admin, ["read"], { base: otherBase, resource: `${otherBase}/mcp`, send: otherSend });
    const otherTokens = await exchange(
      { grant_type: "authorization_code", code: issued.code, redirect_uri: REDIRECT_URI, client_id: issued.clientId, code_verifier: issued.verifier },
      otherBase,
      otherSend,
    );
    const { access_token } = (await otherTokens.json()) as Tokens;
    expect((await mcp(access_token, "tools/list", {}, otherSend, `${otherBase}/mcp`)).response.status, "valid where it was issued").toBe(200);
    const refused = await mcp(access_token, "tools/list");
    expect(refused.response.status).toBe(401);
    expect(refused.response.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
  });

  it("refuses an expired token", async () => {
    const { access_token } = await accessToken(admin, ["read"]);
    expect((await mcp(access_token, "tools/list")).response.status).toBe(200);
    const realNow = Date.now;
    Date.now = () => realNow() + 3_601_000;
    try {
      const expired = await mcp(access_token, "tools/list");
      expect(expired.response.status).toBe(401);
      expect(expired.response.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
    } finally {
      Date.now = realNow;
    }
  });

  it("refuses a revoked access token, and a revoked refresh token ends the grant", async () => {
    const first = await accessToken(admin, ["read"]);
    expect((await exchange({ token: first.access_token, token_type_hint: "access_token", client_id: first.clientId })).status).toBe(200);
    expect((await mcp(first.access_token, "tools/list")).response.status).toBe(401);

    const second = await accessToken(admin, ["read"]);
    expect((await exchange({ token: second.refresh_token, token_type_hint: "refresh_token", client_id: second.clientId })).status).toBe(200);
    expect((await mcp(second.access_token, "tools/list")).response.status).toBe(401);
    const refreshed = await exchange({ grant_type: "refresh_token", refresh_token: second.refresh_token, client_id: second.clientId });
    expect(refreshed.status).toBe(400);
    expect(await refreshed.json()).toMatchObject({ error: "invalid_grant" });
  });
});

describe("the approving token", () => {
  it("takes the OAuth grants it approved with it when it is revoked", async () => {
    const approver = await apiToken(admin, "approver", ["read", "operate", "admin"]);
    const granted = await accessToken(approver, ["read"]);
    expect((await mcp(granted.access_token, "tools/list")).response.status).toBe(200);
    const { tokens } = (await (await rest(admin, "GET", "/api/tokens")).json()) as { tokens: Array<{ id: string; name: string }> };
    const id = tokens.find((t) => t.name === "approver")?.id;
    expect((await rest(admin, "DELETE", `/api/tokens/${id}`)).status).toBe(204);
    expect((await mcp(granted.access_token, "tools/list")).response.status).toBe(401);
    const refreshed = await exchange({ grant_type: "refresh_token", refresh_token: granted.refresh_token, client_id: granted.clientId });
    expect(await refreshed.json()).toMatchObject({ error: "invalid_grant" });
  });
});

describe("OAuth access tokens on /mcp", () => {
  it("are charged the per-caller rate limit of API tokens, each grant its own: 429 with Retry-After past the burst", async () => {
    const approver = await apiToken(admin, "approver of two", ["read", "admin"]);
    const busy = await accessToken(approver, ["read"]);
    const other = await accessToken(approver, ["read"]);
    const answers = await withFrozenClock(async () => {
      // More within one instant than the burst (60) allows; as for an API token, this isolate's cache answers
      // up to 20 requests between two charges, so the refusal comes within 20 past the burst.
      const seen: McpAnswer[] = [];
      for (let i = 0; i < 100; i++) seen.push(await mcp(busy.access_token, "tools/list"));
      // Another grant, and the token that approved both, keep their own budgets.
      return { seen, other: await mcp(other.access_token, "tools/list"), approver: await mcp(approver, "tools/list") };
    });
    const statuses = answers.seen.map((answer) => answer.response.status);
    expect(statuses.slice(0, 60)).toEqual(Array(60).fill(200));
    const limited = answers.seen.find((answer) => answer.response.status === 429);
    expect(statuses.indexOf(429)).toBeLessThanOrEqual(60 + 20);
    expect(Number(limited?.response.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(limited?.body).toEqual(RATE_LIMITED);
    expect(answers.other.response.status).toBe(200);
    expect(answers.approver.response.status).toBe(200);
  }, 30_000);
});

describe("API tokens on /mcp", () => {
  it("still work, and one sent faster than its rate gets 429 with Retry-After", async () => {
    const busy = await apiToken(admin, "busy", ["read"]);
    const listed = await mcp(busy, "tools/call", { name: "list_devices", arguments: {} });
    expect(JSON.stringify(listed.body.result?.structuredContent)).toContain("oauth-cam");
    // More within one instant than the token's burst allows.
    const answers = await withFrozenClock(() => Promise.all(Array.from({ length: 100 }, () => mcp(busy, "tools/list"))));
    const limited = answers.find((answer) => answer.response.status === 429);
    expect(limited?.response.status).toBe(429);
    expect(Number(limited?.response.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(limited?.body).toEqual(RATE_LIMITED);
  }, 30_000);
});
