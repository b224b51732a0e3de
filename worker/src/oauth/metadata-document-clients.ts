import type { ClientInfo, OAuthProvider } from "@cloudflare/workers-oauth-provider";
import { z } from "zod";
import type { Env } from "../env.js";
import { type ClientMetadataDocument, clientIdUrlProblem, fetchClientMetadataDocument, isMetadataDocumentClientId } from "./client-metadata-document.js";
import { authorizeErrorPage, authorizePageResponse } from "./consent-page.js";

export type OAuthFront = Pick<OAuthProvider<Env>, "fetch">;

export interface OAuthEndpoints {
  authorize: string;
  token: string;
}

const DISCOVERY_PATH = "/.well-known/oauth-authorization-server";
/** KV keeps nothing for less than a minute; freshness is decided by `freshUntil`, not by expiry. */
const KV_MIN_TTL_SECONDS = 60;
/** KV takes one write a second per key: an unchanged client stored this recently is left as it is (it has 30 s left at least). */
const REWRITE_AFTER_MS = (KV_MIN_TTL_SECONDS / 2) * 1000;

/** Stored beside a document's client: when, and until when it may be used without fetching the document again. */
const KeptClientSchema = z.object({ storedAt: z.number(), freshUntil: z.number() });

/**
 * The provider's storage key for a client (its documented KV schema). A document client is
 * kept there, as a public client, for as long as the document may be cached.
 */
const clientKey = (clientId: string) => `client:${clientId}`;

function asClient(document: ClientMetadataDocument): ClientInfo {
  return {
    clientId: document.client_id,
    clientName: document.client_name,
    clientUri: document.client_uri,
    logoUri: document.logo_uri,
    redirectUris: document.redirect_uris,
    // RFC 7591's defaults for members the document leaves out.
    grantTypes: document.grant_types ?? ["authorization_code"],
    responseTypes: document.response_types ?? ["code"],
    tokenEndpointAuthMethod: "none",
  };
}

/**
 * Makes the client a document URL names known to the provider: from KV while its document
 * is fresh, otherwise fetched and validated again. Returns why it cannot be, or undefined.
 */
async function admit(env: Env, clientId: string, publicUrl: string): Promise<string | undefined> {
  const problem = clientIdUrlProblem(clientId, publicUrl);
  if (problem) return problem;
  const kept = await env.OAUTH_KV.getWithMetadata(clientKey(clientId));
  const stored = kept.value === null ? undefined : KeptClientSchema.safeParse(kept.metadata).data;
  const now = Date.now();
  if (stored && stored.freshUntil > now) return undefined;
  const fetched = await fetchClientMetadataDocument(clientId);
  if (!fetched.ok) return fetched.description;
  const client = JSON.stringify(asClient(fetched.document));
  if (client === kept.value && stored && stored.storedAt > now - REWRITE_AFTER_MS) return undefined;
  await env.OAUTH_KV.put(clientKey(clientId), client, {
    expirationTtl: Math.max(KV_MIN_TTL_SECONDS, fetched.cacheSeconds),
    metadata: { storedAt: now, freshUntil: now + fetched.cacheSeconds * 1000 } satisfies z.infer<typeof KeptClientSchema>,
  });
  return undefined;
}

/**
 * The client_id a request to an endpoint that looks clients up names: in the query at /authorize, in
 * the form at the token endpoint (whose body arrives here already bounded, `withBoundedBodies`).
 */
async function namedClientId(request: Request, endpoints: OAuthEndpoints): Promise<string | null> {
  const { pathname, searchParams } = new URL(request.url);
  if (pathname === endpoints.authorize) return searchParams.get("client_id");
  const isForm = (request.headers.get("Content-Type") ?? "").startsWith("application/x-www-form-urlencoded");
  if (pathname === endpoints.token && request.method === "POST" && isForm) return new URLSearchParams(await request.clone().text()).get("client_id");
  return null;
}

/** The authorization server metadata, saying that client ids may be metadata document URLs. */
async function advertised(response: Response): Promise<Response> {
  if (!response.ok) return response;
  const metadata = z.record(z.string(), z.unknown()).parse(await response.json());
  const headers = new Headers(response.headers);
  headers.delete("Content-Length");
  return new Response(JSON.stringify({ ...metadata, client_id_metadata_document_supported: true }), { status: response.status, headers });
}

/**
 * Client ID Metadata Documents in front of the provider: a client whose client_id is an https
 * URL (http on the local stack) is resolved from the document there before the provider looks
 * it up, at /authorize and at the token endpoint. The provider stays the one place that validates requests and issues
 * tokens. (Its own CIMD support follows redirects, waits 10 s, ignores the content type and
 * refuses the local stack's http, so it stays off.)
 */
export function withMetadataDocumentClients(provider: OAuthFront, publicUrl: string, endpoints: OAuthEndpoints): OAuthFront {
  return {
    async fetch(request, env, ctx) {
      const { pathname } = new URL(request.url);
      if (pathname === DISCOVERY_PATH && request.method === "GET") return advertised(await provider.fetch(request, env, ctx));
      const clientId = await namedClientId(request, endpoints);
      if (clientId === null || !isMetadataDocumentClientId(clientId)) return provider.fetch(request, env, ctx);
      const problem = await admit(env, clientId, publicUrl);
      if (problem === undefined) return provider.fetch(request, env, ctx);
      const description = `The client's metadata document cannot be used: ${problem}.`;
      // No redirect_uri is trusted yet, so /authorize answers the person in the browser.
      if (pathname === endpoints.authorize) return authorizePageResponse(authorizeErrorPage(description), 400);
      return Response.json({ error: "invalid_client", error_description: description }, { status: 401, headers: { "Cache-Control": "no-store" } });
    },
  };
}
