import { readCapped } from "@jetson/protocol";
import type { OAuthFront } from "./metadata-document-clients.js";

/** The most bytes a request body may hold, by path. */
export type BodyLimits = Readonly<Record<string, number>>;

function tooLarge(limit: number): Response {
  return Response.json(
    { error: "invalid_request", error_description: `The request body is larger than ${limit} bytes.` },
    { status: 413, headers: { "Cache-Control": "no-store" } },
  );
}

/**
 * The provider answers its own endpoints (token, registration) before the app and its body limit
 * see them, and reads their bodies whole. So each is read here first, counting as it arrives (a
 * chunked body declares no length), and what goes on is that bounded copy.
 */
export function withBoundedBodies(front: OAuthFront, limits: BodyLimits): OAuthFront {
  return {
    async fetch(request, env, ctx) {
      const limit = limits[new URL(request.url).pathname];
      if (limit === undefined || request.body === null) return front.fetch(request, env, ctx);
      if (Number(request.headers.get("Content-Length") ?? "0") > limit) return tooLarge(limit);
      const body = await readCapped(request.body.getReader(), limit);
      if (body === undefined) return tooLarge(limit);
      return front.fetch(new Request(request, { body }), env, ctx);
    },
  };
}
