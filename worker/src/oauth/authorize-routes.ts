import { type AuthRequest, AuthorizationError, type OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import { ALL_SCOPES, type Caller, type Scope } from "@jetson/protocol";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { resolveApiToken } from "../auth.js";
import { field, NOT_A_FORM, postedForm } from "../dashboard/posted-form.js";
import type { Env } from "../env.js";
import { publisherOf } from "./client-metadata-document.js";
import { authorizeErrorPage, authorizePageResponse, CONSENT_CSP, consentPage } from "./consent-page.js";

function oauthHelpers(env: Env): OAuthHelpers {
  if (!env.OAUTH_PROVIDER) throw new Error("/authorize was reached without the OAuth provider in front of the app");
  return env.OAUTH_PROVIDER;
}

/** What the page offers: the requested scopes we know, or all of them when the client named none of ours. */
function offeredScopes(requested: readonly string[]): Scope[] {
  const known = ALL_SCOPES.filter((scope) => requested.includes(scope));
  return known.length > 0 ? known : [...ALL_SCOPES];
}

/** Why the page is shown again, as an HTTP status and a message for the operator. */
type Problem = { status: 400 | 403; message: string };

/** Renders the consent page under a fresh form handle, bound to this browser by the headers it sends. */
async function showConsent(
  oauth: OAuthHelpers,
  request: AuthRequest,
  checked: readonly Scope[],
  problem?: Problem,
): Promise<Response> {
  // describeConsent first: a client that fails to resolve leaves no transaction behind.
  const described = await oauth.describeConsent(request);
  // The provider knows a document client only as a registered one: name the host that publishes its document.
  const details = { ...described, clientDomain: publisherOf(described.clientId) ?? described.clientDomain };
  const consent = await oauth.beginConsent(request);
  consent.headers.set("Content-Type", "text/html; charset=utf-8");
  consent.headers.set("Content-Security-Policy", CONSENT_CSP);
  const html = consentPage({ details, offered: offeredScopes(request.scope), checked, handle: consent.handle, error: problem?.message });
  return new Response(html, { status: problem?.status ?? 200, headers: consent.headers });
}

type SignIn = { ok: true; operator: Caller } | { ok: false; message: string };

/** For now an operator proves who they are with an admin API token of the fleet. */
async function signIn(env: Env, token: string): Promise<SignIn> {
  const resolution = await resolveApiToken(env, token.trim(), true);
  if (!resolution.ok) {
    return { ok: false, message: resolution.status === 429 ? "Too many requests with this token; wait a moment." : "That is not a live API token." };
  }
  if (!resolution.caller.scopes.includes("admin")) return { ok: false, message: "That token does not have the admin scope." };
  return { ok: true, operator: resolution.caller };
}

/** The operator must grant something, and nothing their own token lacks. */
function grantProblem(ticked: readonly Scope[], operator: Caller): Problem | undefined {
  if (ticked.length === 0) return { status: 400, message: "Tick at least one scope to grant, or Deny." };
  const beyond = ticked.filter((scope) => !operator.scopes.includes(scope));
  return beyond.length > 0 ? { status: 403, message: `That token cannot grant ${beyond.join(", ")}.` } : undefined;
}

/** The consent form is a handle, a decision, a token and a few scopes: anyone may post to it, so nothing larger is read. */
const MAX_CONSENT_FORM_BYTES = 16 * 1024;
const limitConsentForm = bodyLimit({
  maxSize: MAX_CONSENT_FORM_BYTES,
  onError: () => authorizePageResponse(authorizeErrorPage(`The form is larger than ${MAX_CONSENT_FORM_BYTES / 1024} KiB.`), 413),
});

/**
 * The authorization endpoint: the provider validates the request (client, redirect URI,
 * PKCE, resource); we ask an operator of a fleet to approve the client and its scopes.
 */
export const authorizeRoutes = new Hono<{ Bindings: Env }>()
  .get("/authorize", async (c) => {
    const oauth = oauthHelpers(c.env);
    const request = await oauth.parseAuthRequest(c.req.raw);
    // The library demands PKCE of public clients only; we demand it of every client.
    if (!request.codeChallenge) return authorizePageResponse(authorizeErrorPage("PKCE (S256) is required."), 400);
    const named = ALL_SCOPES.filter((scope) => request.scope.includes(scope));
    return showConsent(oauth, request, named.length > 0 ? named : ["read"]);
  })
  .post("/authorize", limitConsentForm, async (c) => {
    const oauth = oauthHelpers(c.env);
    const form = await postedForm(c.req);
    if (!form) return authorizePageResponse(authorizeErrorPage(NOT_A_FORM), 400);
    const handle = field(form, "handle");
    if (field(form, "decision") !== "approve") {
      const denied = await oauth.denyConsent(c.req.raw, handle);
      return new Response(null, { status: 302, headers: denied.headers });
    }
    const ticked = ALL_SCOPES.filter((scope) => form.getAll("scope").includes(scope));
    // The form posts to the same URL, so the original request is still in the query: show the page again.
    const again = async (problem: Problem) => showConsent(oauth, await oauth.parseAuthRequest(c.req.raw), ticked, problem);
    const signedIn = await signIn(c.env, field(form, "token"));
    if (!signedIn.ok) return again({ status: 403, message: signedIn.message });
    const problem = grantProblem(ticked, signedIn.operator);
    if (problem) return again(problem);

    // From here on the request comes from storage, never from the form.
    const approved = await oauth.approveConsent(c.req.raw, handle);
    const granted = offeredScopes(approved.request.scope).filter((scope) => ticked.includes(scope));
    if (granted.length === 0) return authorizePageResponse(authorizeErrorPage("None of the ticked scopes was requested."), 400);
    const { fleet, id: tokenId } = signedIn.operator;
    const props: Caller = { fleet, kind: "oauth", id: approved.request.clientId, user: tokenId, scopes: granted };
    const { redirectTo } = await oauth.completeAuthorization({
      request: { ...approved.request, scope: granted },
      userId: tokenId,
      // One approval, one grant: another person (or tab) connecting the same client with the same token ends nothing.
      revokeExistingGrants: false,
      metadata: { fleet },
      scope: granted,
      props,
    });
    approved.headers.set("Location", redirectTo);
    return new Response(null, { status: 302, headers: approved.headers });
  })
  .onError((error) => {
    // Only the operator's own decision goes back to the client (RFC 9700 4.11.2): a client may name any
    // redirect URI it registered, so anything found wrong before is said here, never redirected.
    if (error instanceof AuthorizationError) return authorizePageResponse(authorizeErrorPage(error.description), 400);
    console.error("/authorize failed:", error);
    return authorizePageResponse(authorizeErrorPage("This authorization could not be completed."), 400);
  });
