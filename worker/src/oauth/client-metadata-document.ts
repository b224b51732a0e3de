import { isLoopbackHost, readCapped } from "@jetson/protocol";
import { z } from "zod";
import { isNonPublicHost } from "./non-public-host.js";

/**
 * Bounds on fetching a Client ID Metadata Document: anyone can name any URL as their
 * client id, so the fetch must stay small, short and where it was pointed. The URL length
 * also keeps the provider's storage key (`client:<id>`) under KV's 512 bytes.
 */
export const DOCUMENT_LIMITS = { maxBytes: 5 * 1024, timeoutMs: 3_000, maxCacheSeconds: 600, maxUrlLength: 400 } as const;

const DANGEROUS_SCHEME = /^(javascript|data|vbscript|file|blob|mailto):/i;
const WebUrl = z.url({ protocol: /^https?$/ });

/**
 * How a client describes itself, as this server takes it whether the client publishes a document or
 * registers: anyone can do either, so names, redirect URIs and links are bounded alike (RFC 7591 names).
 */
export const ClientDescriptionSchema = z.object({
  client_name: z.string().trim().min(1).max(100),
  redirect_uris: z
    .array(z.url().refine((uri) => !DANGEROUS_SCHEME.test(uri), "a redirect URI must not use a script, data or file scheme"))
    .min(1)
    .max(20),
  client_uri: WebUrl.optional(),
  logo_uri: WebUrl.optional(),
});

/** What this server reads from a document (draft-ietf-oauth-client-id-metadata-document); other members are ignored. */
export const ClientMetadataDocumentSchema = ClientDescriptionSchema.extend({
  client_id: z.string(),
  // The document is public: whoever reads it could present a secret in it.
  token_endpoint_auth_method: z.literal("none", { error: "only public clients (none) can name themselves by a metadata document" }).optional(),
  grant_types: z
    .array(z.enum(["authorization_code", "refresh_token"]))
    .refine((grants) => grants.includes("authorization_code"), "must include authorization_code")
    .optional(),
  response_types: z.array(z.literal("code")).optional(),
  client_secret: z.never({ error: "a metadata document must not carry a client secret" }).optional(),
});
export type ClientMetadataDocument = z.infer<typeof ClientMetadataDocumentSchema>;

export type FetchedDocument = { ok: true; document: ClientMetadataDocument; cacheSeconds: number } | { ok: false; description: string };

/** A client id this server resolves as a metadata document rather than looking it up among registered clients. */
export function isMetadataDocumentClientId(clientId: string): boolean {
  return /^https?:\/\//i.test(clientId);
}

/** The host that publishes a metadata document client, for the consent page: a name the client cannot choose freely. */
export function publisherOf(clientId: string): string | undefined {
  return isMetadataDocumentClientId(clientId) ? new URL(clientId).host : undefined;
}

/** The path of a URL as written: `new URL` removes the dot segments the draft requires refusing. */
function rawPath(clientId: string): string {
  const authorityAndPath = clientId.slice(clientId.indexOf("//") + 2);
  const pathStart = authorityAndPath.search(/[/?#]/);
  if (pathStart === -1 || authorityAndPath[pathStart] !== "/") return "";
  return authorityAndPath.slice(pathStart).split(/[?#]/)[0] ?? "";
}

function hasDotSegment(clientId: string): boolean {
  return rawPath(clientId)
    .split("/")
    .some((segment) => [".", ".."].includes(segment.replace(/%2e/gi, ".")));
}

/**
 * What a client id URL must be before anything is fetched from it (draft §3). Clear text only
 * between loopback addresses while this deployment is itself on loopback (the local stack), as
 * for browser pages calling /mcp.
 */
const URL_RULES: Array<[(clientId: string, url: URL, deployment: URL) => boolean, string]> = [
  [(clientId) => clientId.length <= DOCUMENT_LIMITS.maxUrlLength, `must be at most ${DOCUMENT_LIMITS.maxUrlLength} characters long`],
  [
    (_, url, deployment) => url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(deployment.hostname) && isLoopbackHost(url.hostname)),
    "must use https (http only from a loopback address, while this server itself runs on loopback)",
  ],
  // Only the local stack may fetch from its own network; a name that resolves into one is refused by the runtime.
  [
    (_, url, deployment) => isLoopbackHost(deployment.hostname) || !isNonPublicHost(url.hostname),
    "must not name a loopback, private, link-local or multicast address",
  ],
  [(clientId) => !clientId.includes("#"), "must not have a fragment"],
  [(_, url) => url.username === "" && url.password === "", "must not carry a user name or password"],
  [(clientId) => !hasDotSegment(clientId), "must not have . or .. path segments"],
  [(_, url) => url.pathname !== "/", "must have a path"],
  // The consent page would name this server as the publisher, and anyone who can open a device's port serves pages here.
  [(_, url, deployment) => url.host !== deployment.host, "must not be on the same host as this server (device ports are served there)"],
  // The document's client_id is compared to it as a string: no second spelling of the same URL.
  [(clientId, url) => url.href === clientId, "must be written in its normal form (lower-case scheme and host, no default port, no spaces)"],
];

/** Why a client id URL is refused before fetching, or undefined when it may be fetched. */
export function clientIdUrlProblem(clientId: string, publicUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return "the client_id is not a valid URL";
  }
  const broken = URL_RULES.find(([holds]) => !holds(clientId, url, new URL(publicUrl)));
  return broken ? `a client_id URL ${broken[1]}` : undefined;
}

/** What a schema found wrong, one issue after another, each by the member it is about. */
export function issuesOf(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message)).join("; ");
}

/** A refusal with its reason, raised while fetching and turned into a FetchedDocument at the end. */
class DocumentRefused extends Error {}

const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json$/;

/** How long a document may be kept: its max-age, within our bound; nothing when it asks not to be stored. */
function cacheSeconds(cacheControl: string | null): number {
  if (cacheControl === null || /(?:^|,)\s*(?:no-store|no-cache|private)\b/i.test(cacheControl)) return 0;
  const maxAge = /(?:^|,)\s*max-age\s*=\s*"?(\d+)/i.exec(cacheControl)?.[1];
  return maxAge === undefined ? 0 : Math.min(Number(maxAge), DOCUMENT_LIMITS.maxCacheSeconds);
}

/** Reads at most the document limit, counting as it reads: a body that never ends is refused once it passes the cap. */
async function readDocument(response: Response, signal: AbortSignal): Promise<Uint8Array> {
  const tooLarge = `the document is larger than ${DOCUMENT_LIMITS.maxBytes} bytes`;
  if (Number(response.headers.get("Content-Length") ?? "0") > DOCUMENT_LIMITS.maxBytes) throw new DocumentRefused(tooLarge);
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  // The timeout covers the body too, whether or not the runtime ends a read on abort.
  const aborted = new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
  aborted.catch(() => undefined);
  const bytes = await readCapped(reader, DOCUMENT_LIMITS.maxBytes, aborted);
  if (bytes === undefined) throw new DocumentRefused(tooLarge);
  return bytes;
}

function parseDocument(bytes: Uint8Array, clientId: string): ClientMetadataDocument {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new DocumentRefused("the document is not valid UTF-8 JSON");
  }
  const parsed = ClientMetadataDocumentSchema.safeParse(value);
  if (!parsed.success) throw new DocumentRefused(`the document is not a valid client metadata document: ${issuesOf(parsed.error)}`);
  if (parsed.data.client_id !== clientId) {
    throw new DocumentRefused(`the document's client_id (${parsed.data.client_id}) does not match the URL it was fetched from`);
  }
  return parsed.data;
}

async function fetchWithin(clientId: string, signal: AbortSignal): Promise<{ document: ClientMetadataDocument; cacheSeconds: number }> {
  // Never followed: the document must be where its own client_id says.
  const response = await fetch(clientId, { redirect: "manual", signal, headers: { Accept: "application/json" } });
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    throw new DocumentRefused(`the document's URL answered with a redirect (${response.status}); redirects are not followed`);
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new DocumentRefused(`the document's URL answered HTTP ${response.status}`);
  }
  const mediaType = (response.headers.get("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    await response.body?.cancel();
    throw new DocumentRefused(`the document is served as ${mediaType || "no content type"}, not as JSON (application/json)`);
  }
  const document = parseDocument(await readDocument(response, signal), clientId);
  return { document, cacheSeconds: cacheSeconds(response.headers.get("Cache-Control")) };
}

/** Fetches and validates the document a client id URL names (call `clientIdUrlProblem` first). */
export async function fetchClientMetadataDocument(clientId: string): Promise<FetchedDocument> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), DOCUMENT_LIMITS.timeoutMs);
  try {
    return { ok: true, ...(await fetchWithin(clientId, controller.signal)) };
  } catch (error) {
    if (error instanceof DocumentRefused) return { ok: false, description: error.message };
    if (controller.signal.aborted) return { ok: false, description: `the document's server did not answer within ${DOCUMENT_LIMITS.timeoutMs / 1000} s` };
    // The runtime's words differ by what answered at the address (a port probe): they go to the log only.
    console.warn(`Client metadata document ${clientId} could not be fetched:`, error);
    return { ok: false, description: "the document could not be fetched" };
  } finally {
    clearTimeout(timer);
  }
}
