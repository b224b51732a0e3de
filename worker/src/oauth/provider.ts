import { ExternalTokenError, OAuthProvider } from "@cloudflare/workers-oauth-provider";
import { ALL_SCOPES } from "@jetson/protocol";
import { app, MAX_REQUEST_BYTES } from "../app.js";
import { resolveApiToken } from "../auth.js";
import type { Env } from "../env.js";
import { type BodyLimits, withBoundedBodies } from "./bounded-bodies.js";
import { DOCUMENT_LIMITS } from "./client-metadata-document.js";
import { refuseUnboundedClient } from "./client-registration.js";
import { withRegistrationLimit } from "./registration-limit.js";
import { mcpHandler, rateLimited } from "./mcp-handler.js";
import { type OAuthFront, type OAuthEndpoints, withMetadataDocumentClients } from "./metadata-document-clients.js";

const ENDPOINTS = { authorize: "/authorize", token: "/oauth/token" } as const satisfies OAuthEndpoints;
const REGISTRATION_ENDPOINT = "/oauth/register";

/** The provider's endpoints that read a body: a token request as any request, a registration no larger than a metadata document. */
const BODY_LIMITS: BodyLimits = { [ENDPOINTS.token]: MAX_REQUEST_BYTES, [REGISTRATION_ENDPOINT]: DOCUMENT_LIMITS.maxBytes };

/**
 * The OAuth 2.1 provider in front of the whole Worker: it serves the metadata, token,
 * revocation and registration endpoints, guards /mcp, and hands everything else
 * (including our /authorize consent page) to the Hono app. Clients register dynamically
 * or name themselves by a Client ID Metadata Document, resolved in front of it.
 */
export function createOAuthProvider(publicUrl: string): OAuthFront {
  if (!publicUrl) throw new Error("PUBLIC_URL is not set: OAuth tokens are bound to the Worker's public URL.");
  const origin = new URL(publicUrl).origin;
  const resource = `${origin}/mcp`;
  const provider = new OAuthProvider<Env>({
    apiRoute: "/mcp",
    apiHandler: mcpHandler,
    defaultHandler: app,
    authorizeEndpoint: ENDPOINTS.authorize,
    tokenEndpoint: ENDPOINTS.token,
    clientRegistrationEndpoint: REGISTRATION_ENDPOINT,
    clientRegistrationCallback: refuseUnboundedClient,
    scopesSupported: [...ALL_SCOPES],
    resourceMetadata: { resource, authorization_servers: [origin], resource_name: "Jetson fleet control" },
    // Scripts and CI keep using our API tokens at /mcp; they carry their own fleet and scopes.
    resolveExternalToken: async ({ token, env }) => {
      const resolution = await resolveApiToken(env, token);
      if (resolution.ok) return { props: resolution.caller, audience: resource };
      if (resolution.status === 429) {
        const refusal = rateLimited(resolution.retryAfterSeconds);
        throw new ExternalTokenError(refusal.code, refusal);
      }
      return null;
    },
  });
  return withRegistrationLimit(withBoundedBodies(withMetadataDocumentClients(provider, publicUrl, ENDPOINTS), BODY_LIMITS), REGISTRATION_ENDPOINT);
}

let current: { publicUrl: string; provider: OAuthFront } | undefined;

/** One provider per public URL, built at the first request because module scope has no env. */
export function oauthProvider(env: Env): OAuthFront {
  if (current?.publicUrl !== env.PUBLIC_URL) current = { publicUrl: env.PUBLIC_URL, provider: createOAuthProvider(env.PUBLIC_URL) };
  return current.provider;
}
