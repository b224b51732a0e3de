import type { Context } from "hono";

/**
 * The client, bundled by dashboard/build.mjs (wrangler's build command) and imported as
 * text. Imported on first use, not at startup: the vitest pool does not run the build,
 * and the Worker's other routes must load without it.
 */
const ASSETS = {
  js: { type: "text/javascript; charset=utf-8", load: () => import("../../dashboard/dist/client.bundle.js") },
  css: { type: "text/css; charset=utf-8", load: () => import("../../dashboard/dist/client.bundle.css") },
} as const;

export async function serveAsset(c: Context, kind: keyof typeof ASSETS): Promise<Response> {
  const asset = ASSETS[kind];
  const text = await asset.load().then(
    (module) => module.default,
    () => undefined,
  );
  if (text === undefined) return c.text("The dashboard's client is not built: run `node dashboard/build.mjs` in worker/.", 503);
  const etag = `"${text.length.toString(36)}-${fnv1a(text)}"`;
  // Revalidated on each page load (a 304 when unchanged), so a new deployment is picked up at once.
  const headers = { "Content-Type": asset.type, "Cache-Control": "no-cache", ETag: etag, "X-Content-Type-Options": "nosniff" };
  if (c.req.header("If-None-Match") === etag) return c.body(null, 304, headers);
  return c.body(text, 200, headers);
}

/** A cheap content fingerprint for the ETag; not a security measure. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}
