import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { createOAuthProvider } from "../src/oauth/provider.js";
import { createFleet } from "./device-client.js";
import type { Send } from "./mcp-request.js";
import { BASE, exchange, MCP_URL, mcp, openConsent, pkcePair, REDIRECT_URI, submitConsent, type Tokens, worker } from "./oauth-flow.js";

/** The test documents' server (test/support/metadata-document-server.ts), over real HTTP on 127.0.0.1. */
const DOCUMENTS = inject("metadataDocumentOrigin");
const documentUrl = (name: string) => `${DOCUMENTS}/docs/${name}`;

/** How often the document server was asked for a document. */
async function hits(name: string): Promise<number> {
  return ((await (await fetch(`${DOCUMENTS}/hits/${name}`)).json()) as { hits: number }).hits;
}

/** Opens /authorize for a client id that did not resolve: an error page, and no consent form. */
async function refusedAt(clientId: string, send: Send = worker, base = BASE): Promise<string> {
  const page = await openConsent({ clientId, challenge: (await pkcePair()).challenge, base, resource: `${base}/mcp`, send });
  expect(page.response.status, clientId).toBe(400);
  expect(page.handle, "no consent form").toBe("");
  return page.html;
}

/** A client on a deployment that is not on loopback (where documents must be public https). */
const DEPLOYED = "https://fleet.example";
const deployed: Send = (() => {
  const provider = createOAuthProvider(DEPLOYED);
  return (request) => provider.fetch(request, { ...env, OAUTH_PROVIDER: undefined }, createExecutionContext());
})();

/** The whole flow for a document client: consent approved by `token`, the code exchanged for tokens. */
async function connect(clientId: string, token: string): Promise<Tokens> {
  const pkce = await pkcePair();
  const page = await openConsent({ clientId, challenge: pkce.challenge, scope: "read" });
  const redirect = await submitConsent(page, { token, scopes: ["read"] });
  expect(redirect.status).toBe(302);
  const code = new URL(redirect.headers.get("Location") ?? "").searchParams.get("code") ?? "";
  const tokens = await exchange({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, client_id: clientId, code_verifier: pkce.verifier, resource: MCP_URL });
  expect(tokens.status).toBe(200);
  return (await tokens.json()) as Tokens;
}

let admin: string;

beforeAll(async () => {
  admin = await createFleet("cimd");
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a client that names itself by a Client ID Metadata Document", () => {
  it("is told the server takes them, in the authorization server metadata", async () => {
    const metadata = (await (await worker(new Request(`${BASE}/.well-known/oauth-authorization-server`))).json()) as Record<string, unknown>;
    expect(metadata.client_id_metadata_document_supported).toBe(true);
    expect(metadata.registration_endpoint, "dynamic registration stays").toBe(`${BASE}/oauth/register`);
  });

  it("completes the code flow with PKCE as a public client, shown by its name and its document's host, and calls /mcp", async () => {
    const clientId = documentUrl("assistant.json");
    const pkce = await pkcePair();
    const page = await openConsent({ clientId, challenge: pkce.challenge, scope: "read" });
    expect(page.response.status).toBe(200);
    expect(page.html).toContain("Allow Document Assistant to reach your Jetson fleet?");
    expect(page.html).toContain(`Published by <strong>${new URL(DOCUMENTS).host}</strong>`);

    const redirect = await submitConsent(page, { token: admin, scopes: ["read"] });
    expect(redirect.status).toBe(302);
    const location = new URL(redirect.headers.get("Location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    // No client secret: the document's URL is the whole client identity.
    const tokens = await exchange({
      grant_type: "authorization_code",
      code: location.searchParams.get("code") ?? "",
      redirect_uri: REDIRECT_URI,
      client_id: clientId,
      code_verifier: pkce.verifier,
      resource: MCP_URL,
    });
    expect(tokens.status).toBe(200);
    const { access_token, scope } = (await tokens.json()) as Tokens;
    expect(scope).toBe("read");
    const listed = await mcp(access_token, "tools/list");
    expect(listed.response.status).toBe(200);
    expect(JSON.stringify(listed.body.result?.tools)).toContain("list_devices");
  });

  it("refuses a document that does not hold up, saying why, before any consent form", async () => {
    const refusals: Array<[string, RegExp]> = [
      ["other-id.json", /client_id \(https:\/\/assistant\.example\/client\.json\) does not match the URL it was fetched from/],
      ["html.json", /served as text\/html, not as JSON/],
      ["endless.json", /larger than 5120 bytes/],
      ["moved.json", /answered with a redirect \(302\); redirects are not followed/],
      ["with-secret.json", /client_secret: a metadata document must not carry a client secret/],
      ["confidential.json", /token_endpoint_auth_method: only public clients/],
      ["no-redirects.json", /redirect_uris: /],
      ["script-redirect.json", /redirect_uris\.1: a redirect URI must not use a script, data or file scheme/],
    ];
    for (const [name, reason] of refusals) expect(await refusedAt(documentUrl(name)), name).toMatch(reason);
    expect(await hits("moved-here.json"), "the redirect was not followed").toBe(0);
  });

  it("gives up on a document server that does not answer within 3 s", async () => {
    expect(await refusedAt(documentUrl("silent.json"))).toMatch(/did not answer within 3 s/);
  });

  it("refuses a redirect_uri that the document does not list", async () => {
    const page = await openConsent({ clientId: documentUrl("assistant.json"), challenge: (await pkcePair()).challenge, redirectUri: "http://127.0.0.1:9999/elsewhere" });
    expect(page.response.status).toBe(400);
    expect(page.handle).toBe("");
    expect(page.html).toMatch(/Invalid redirect URI/);
  });

  it("refuses a client_id URL with a fragment, credentials, dot segments, no path, a second spelling or on this server's own host, without fetching it", async () => {
    const before = await hits("assistant.json");
    const refusals: Array<[string, RegExp]> = [
      [`${documentUrl("assistant.json")}#top`, /must not have a fragment/],
      [documentUrl("assistant.json").replace("http://", "http://user:pw@"), /must not carry a user name or password/],
      [`${DOCUMENTS}/docs/../docs/assistant.json`, /must not have \. or \.\. path segments/],
      [`${DOCUMENTS}/docs/%2e%2e/docs/assistant.json`, /must not have \. or \.\. path segments/],
      [`${DOCUMENTS}/`, /must have a path/],
      [documentUrl("assistant.json").replace("http://", "HTTP://"), /must be written in its normal form/],
      [`${documentUrl("assistant.json")}?${"x".repeat(400)}`, /must be at most 400 characters long/],
      // Anyone who can open a device's port serves pages on this server's own origin (/t/<token>/).
      [`${BASE}/t/0123456789abcdef/client.json`, /must not be on the same host as this server/],
    ];
    for (const [clientId, reason] of refusals) expect(await refusedAt(clientId), clientId).toMatch(reason);
    expect(await hits("assistant.json")).toBe(before);
  });

  it("takes only https client ids on a deployment that is not on loopback", async () => {
    const before = await hits("assistant.json");
    expect(await refusedAt(documentUrl("assistant.json"), deployed, DEPLOYED)).toMatch(/must use https/);
    expect(await hits("assistant.json"), "nothing fetched over http").toBe(before);
  });

  it("refuses a client id on a loopback, private, link-local or multicast address, in any spelling, before fetching it, on a deployment not on loopback", async () => {
    const fetched = vi.spyOn(globalThis, "fetch");
    const clientIds = [
      "https://127.0.0.1:47811/x.json",
      "https://localhost/x.json",
      "https://169.254.169.254/latest/meta-data",
      "https://10.0.0.1/x.json",
      "https://172.16.5.4/x.json",
      "https://192.168.1.1/x.json",
      "https://100.64.0.1/x.json",
      "https://0.0.0.0/x.json",
      "https://224.0.0.1/x.json",
      // Spellings the URL parser writes as 127.0.0.1 and [::ffff:7f00:1].
      "https://2130706433/x.json",
      "https://0x7f.1/x.json",
      "https://0177.0.0.1/x.json",
      "https://[::ffff:127.0.0.1]/x.json",
      "https://[::ffff:a9fe:a9fe]/latest/meta-data",
      "https://[::1]/x.json",
      "https://[::]/x.json",
      "https://[fd00::1]/x.json",
      "https://[fe80::1]/x.json",
      "https://[ff02::1]/x.json",
    ];
    for (const clientId of clientIds) {
      expect(await refusedAt(clientId, deployed, DEPLOYED), clientId).toMatch(/must not name a loopback, private, link-local or multicast address/);
    }
    expect(fetched.mock.calls.map(([input]) => String(input)), "nothing fetched").toEqual([]);
  });

  it("says only that a document could not be fetched, not the runtime's words for why", async () => {
    // The runtime's words tell a closed port from an open one: with them, client ids would probe the network.
    expect(await refusedAt(documentUrl("hangup.json"))).toMatch(/cannot be used: the document could not be fetched\.<\/p>/);
  });

  it("keeps each approval of the same client by the same token as a grant of its own: both clients keep their tokens", async () => {
    // Two people connecting one web-hosted client (one client id), approved with the same token.
    const clientId = documentUrl("assistant.json");
    const first = await connect(clientId, admin);
    const second = await connect(clientId, admin);
    for (const tokens of [first, second]) expect((await mcp(tokens.access_token, "tools/list")).response.status).toBe(200);
    for (const tokens of [first, second]) {
      const refreshed = await exchange({ grant_type: "refresh_token", refresh_token: tokens.refresh_token, client_id: clientId });
      expect(refreshed.status).toBe(200);
      expect((await mcp(((await refreshed.json()) as Tokens).access_token, "tools/list")).response.status).toBe(200);
    }
  });

  it("shows the error page, never a 500, when the document moves its redirect URI between the consent page and the approval", async () => {
    const page = await openConsent({ clientId: documentUrl("moving.json"), challenge: (await pkcePair()).challenge, scope: "read" });
    expect(page.response.status).toBe(200);
    const approved = await submitConsent(page, { token: admin, scopes: ["read"] });
    expect(approved.status).toBe(400);
    expect(approved.headers.get("Location")).toBeNull();
    const html = await approved.text();
    expect(html).toContain("<h1>Authorization failed</h1>");
    expect(html).toContain("This authorization could not be completed.");
  });

  it("answers invalid_client at the token endpoint when the document does not hold up", async () => {
    const response = await exchange({ grant_type: "authorization_code", code: "x", redirect_uri: REDIRECT_URI, client_id: documentUrl("other-id.json"), code_verifier: "y" });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: "invalid_client", error_description: expect.stringMatching(/does not match the URL it was fetched from/) });
  });

  it("keeps a document as long as its Cache-Control allows, 10 minutes at most, and one without max-age not at all", async () => {
    const open = async (name: string) => expect((await openConsent({ clientId: documentUrl(name), challenge: (await pkcePair()).challenge })).response.status).toBe(200);
    const uncached = await hits("assistant.json");
    await open("assistant.json");
    await open("assistant.json");
    expect(await hits("assistant.json")).toBe(uncached + 2);

    const cached = await hits("cached.json");
    await open("cached.json");
    await open("cached.json");
    expect(await hits("cached.json"), "max-age honoured").toBe(cached + 1);
    const realNow = Date.now;
    Date.now = () => realNow() + 601_000;
    try {
      await open("cached.json");
    } finally {
      Date.now = realNow;
    }
    expect(await hits("cached.json"), "a year's max-age capped at 10 minutes").toBe(cached + 2);
  });
});
