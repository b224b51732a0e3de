import type { OAuthFront } from "./metadata-document-clients.js";

/** How many clients one address may register a minute: the binding's `simple` limit in wrangler.jsonc says the same. */
export const REGISTRATIONS_PER_MINUTE = 10;

/**
 * Anyone may register a client (RFC 7591), and each is kept for months, so one address registers at
 * most REGISTRATIONS_PER_MINUTE a minute (the Workers rate limiting binding, counted per Cloudflare
 * location). The address is the one Cloudflare's edge puts in CF-Connecting-IP, which a client cannot
 * set; a request without it (wrangler dev, tests) or a Worker without the binding is not limited.
 */
export function withRegistrationLimit(front: OAuthFront, registrationPath: string): OAuthFront {
  return {
    async fetch(request, env, ctx) {
      const address = request.headers.get("CF-Connecting-IP");
      if (request.method !== "POST" || address === null || !env.REGISTRATION_LIMIT || new URL(request.url).pathname !== registrationPath) {
        return front.fetch(request, env, ctx);
      }
      const { success } = await env.REGISTRATION_LIMIT.limit({ key: address });
      if (success) return front.fetch(request, env, ctx);
      return Response.json(
        {
          error: "temporarily_unavailable",
          error_description: `This address registered ${REGISTRATIONS_PER_MINUTE} clients in the last minute, the most it may; register again in a minute, or use the client already registered.`,
        },
        { status: 429, headers: { "Retry-After": "60", "Cache-Control": "no-store" } },
      );
    },
  };
}
