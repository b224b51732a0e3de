import { lookup } from "node:dns/promises";
import { mkdir, rename, rm } from "node:fs/promises";
import { type IncomingMessage, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIPv6 } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { ActionError } from "../action-error.js";
import { syncFolder } from "../durable-write.js";
import { type ModelStore, sha256File } from "./model-store.js";

const ATTEMPTS = 3;
const MB = 1024 * 1024;
/** Without a Content-Length the space is checked again after every this many bytes. */
const SPACE_CHECK_BYTES = 64 * MB;
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** How long the server may stay silent, before the headers or between bytes: fetch's (undici's) default. */
const IDLE_TIMEOUT_MS = 300_000;

/**
 * Loopback, link-local (cloud metadata at 169.254.169.254) and unspecified addresses: services of the
 * device itself, whose answers must not become a model that ai.serve mounts into a container. IPv4
 * rules also match IPv4-mapped IPv6 (::ffff:127.0.0.1). Private LAN ranges stay open: a model server
 * on the site's network is a normal source.
 */
const LOCAL_ADDRESSES = new BlockList();
LOCAL_ADDRESSES.addSubnet("127.0.0.0", 8, "ipv4");
LOCAL_ADDRESSES.addSubnet("169.254.0.0", 16, "ipv4");
LOCAL_ADDRESSES.addSubnet("0.0.0.0", 8, "ipv4");
LOCAL_ADDRESSES.addAddress("::1", "ipv6");
LOCAL_ADDRESSES.addAddress("::", "ipv6");
LOCAL_ADDRESSES.addSubnet("fe80::", 10, "ipv6");

export interface DeployRequest {
  name: string;
  url: string;
  sha256: string;
}

export interface DeployOptions {
  signal: AbortSignal;
  onProgress(done: number, total: number | undefined, message: string, final?: boolean): void;
  /** Pause before retrying an interrupted transfer, times the attempt number. */
  retryDelayMs?: number;
  /** Origins (`http://127.0.0.1:8080`) on a loopback or link-local address that downloads may come from all the same. */
  localSources?: readonly string[];
}

/** The transfer stopped early in a way a retry with Range can mend. */
class Interrupted extends Error {}

/**
 * Downloads a model into the store: to `<name>.part`, resuming what an earlier attempt left with
 * a Range request, after checking that the rest fits while leaving `minFreeBytes` free. The file
 * gets its name (an atomic rename) only once its sha256 matches; on a mismatch nothing is kept.
 * It connects to no loopback or link-local address (see LOCAL_ADDRESSES), redirects included,
 * unless the origin is one of `localSources`.
 */
export async function deployModel(store: ModelStore, request: DeployRequest, options: DeployOptions) {
  const { name, url, sha256 } = request;
  const finalPath = store.pathOf(name);
  await mkdir(store.dir, { recursive: true });
  await store.checkFolder();
  const existing = await store.sizeOf(finalPath);
  if (existing !== undefined) {
    const have = await store.sha256Of(name);
    if (have === sha256) return { name, sizeBytes: existing, sha256, alreadyPresent: true, resumedFromBytes: 0 };
    throw new ActionError(
      "invalid_input",
      `A different model named ${name} is already in the store (sha256 ${have}): remove it with ai_model_remove first, or deploy under another name.`,
    );
  }

  let lastProblem = "";
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const resumedFromBytes = await transfer(store, request, options);
      return { ...(await finish(store, request, options)), alreadyPresent: false, resumedFromBytes };
    } catch (error) {
      if (!(error instanceof Interrupted) || options.signal.aborted) throw error;
      lastProblem = error.message;
      if (attempt < ATTEMPTS) await sleep((options.retryDelayMs ?? 1_000) * attempt, undefined, { signal: options.signal });
    }
  }
  const kept = (await store.sizeOf(store.partPathOf(name))) ?? 0;
  throw new ActionError(
    "unavailable",
    `The download of ${name} from ${url} failed ${ATTEMPTS} times (${lastProblem}). ${kept} bytes are kept: deploying again resumes from there.`,
  );
}

/** One HTTP request appending to the .part file; the offset it resumed from. */
async function transfer(store: ModelStore, { name, url }: DeployRequest, options: DeployOptions): Promise<number> {
  const partPath = store.partPathOf(name);
  const offset = (await store.sizeOf(partPath)) ?? 0;
  // identity: Content-Length and Range must count the file's own bytes, not a compressed form.
  const headers = { "accept-encoding": "identity", ...(offset > 0 ? { range: `bytes=${offset}-` } : {}) };
  const response = await get(new URL(url), headers, options).catch((error: unknown) => {
    if (options.signal.aborted || error instanceof ActionError) throw error;
    throw new Interrupted(describe(error));
  });
  const status = response.statusCode ?? 0;
  // The part already holds the whole file: the checksum decides whether it is the right one.
  if (status === 416 && offset > 0) {
    response.destroy();
    return offset;
  }
  if (status < 200 || status > 299) {
    response.destroy();
    if (status >= 500) throw new Interrupted(`the server answered ${status}`);
    throw new ActionError("invalid_input", `The server answered ${status} ${response.statusMessage ?? ""} for ${url}: check the URL.`);
  }

  const range = status === 206 ? contentRange(response.headers["content-range"]) : undefined;
  if (status === 206 && range?.start !== offset) {
    // A range other than the one asked for: start again from nothing rather than splice bytes.
    response.destroy();
    await rm(partPath, { force: true });
    throw new Interrupted(`the server sent an unexpected range (${response.headers["content-range"]})`);
  }
  const start = range ? offset : 0;
  const length = response.headers["content-length"];
  const total = range ? range.total : length === undefined ? undefined : Number(length);
  const remaining = total === undefined ? undefined : total - start;

  const available = await store.availableBytes();
  if (remaining !== undefined && available !== undefined && available - remaining < store.minFreeBytes) {
    response.destroy();
    throw noSpace(store, name, remaining, available);
  }

  const file = await store.openForWriting(partPath, start > 0);
  let written = start;
  let nextSpaceCheck = start + SPACE_CHECK_BYTES;
  options.onProgress(written, total, progressText(written, total, start));
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      if (total !== undefined && written + chunk.length > total) {
        throw new ActionError("invalid_input", `The server sent more than the ${total} bytes it announced for ${url}; nothing was kept.`);
      }
      await file.write(chunk);
      written += chunk.length;
      options.onProgress(written, total, progressText(written, total, start));
      if (total === undefined && written >= nextSpaceCheck) {
        nextSpaceCheck += SPACE_CHECK_BYTES;
        const left = await store.availableBytes();
        if (left !== undefined && left < store.minFreeBytes) throw noSpace(store, name, written, left);
      }
    }
    await file.sync();
  } catch (error) {
    if (error instanceof ActionError) {
      await file.close();
      await rm(partPath, { force: true });
      throw error;
    }
    if (options.signal.aborted) throw error;
    throw new Interrupted(describe(error));
  } finally {
    await file.close().catch(() => undefined);
  }
  if (total !== undefined && written < total) throw new Interrupted(`the connection closed after ${written} of ${total} bytes`);
  return start;
}

/** GETs `url`, following at most MAX_REDIRECTS redirects, each to a destination `open` checks. */
async function get(url: URL, headers: Record<string, string>, options: DeployOptions): Promise<IncomingMessage> {
  for (let hop = 0; ; hop++) {
    const response = await open(url, headers, options);
    const location = REDIRECT_STATUSES.has(response.statusCode ?? 0) ? response.headers.location : undefined;
    if (location === undefined) return response;
    response.destroy();
    if (hop === MAX_REDIRECTS) throw new ActionError("invalid_input", `More than ${MAX_REDIRECTS} redirects, the last from ${url}: give the model's final URL.`);
    url = new URL(location, url);
  }
}

/** One GET, to an address that is neither loopback nor link-local unless the origin is one of `localSources`. */
async function open(url: URL, headers: Record<string, string>, { signal, localSources = [] }: DeployOptions): Promise<IncomingMessage> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ActionError("invalid_input", `ai.model_deploy downloads over http or https only, not from ${url.href}.`);
  }
  // Resolved here and handed to the connection below, so the address checked is the one connected to.
  const addresses = await lookup(url.hostname.replace(/^\[(.*)\]$/, "$1"), { all: true });
  const local = localSources.includes(url.origin) ? undefined : addresses.find(({ address }) => isLocalAddress(address));
  if (local) {
    throw new ActionError(
      "permission_denied",
      `ai.model_deploy does not download from ${url.host} (${local.address}): a loopback or link-local address. Serve the model from another host.`,
    );
  }
  return new Promise((resolve, reject) => {
    const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
      headers,
      signal,
      timeout: IDLE_TIMEOUT_MS,
      // A connection of its own: a pooled one may have been opened elsewhere, to an address never checked.
      agent: false,
      lookup: (_hostname, lookupOptions, callback) =>
        lookupOptions.all ? callback(null, addresses) : callback(null, addresses[0]?.address ?? "", addresses[0]?.family),
    });
    request.on("response", resolve).on("error", reject);
    request.on("timeout", () => request.destroy(new Error(`the server sent nothing for ${IDLE_TIMEOUT_MS / 1000} s`)));
    request.end();
  });
}

/** Whether an IP address is one of LOCAL_ADDRESSES. */
export function isLocalAddress(address: string): boolean {
  return LOCAL_ADDRESSES.check(address, isIPv6(address) ? "ipv6" : "ipv4");
}

/** Checks the finished .part and gives it the model's name, or deletes it. */
async function finish(store: ModelStore, { name, sha256 }: DeployRequest, options: DeployOptions) {
  const partPath = store.partPathOf(name);
  const sizeBytes = (await store.sizeOf(partPath)) ?? 0;
  options.onProgress(sizeBytes, sizeBytes, "Downloaded; checking sha256", true);
  const actual = await sha256File(partPath);
  if (actual !== sha256) {
    await rm(partPath, { force: true });
    // The download's own hash stays unsaid: it would let a caller learn, then keep, content it could not predict.
    throw new ActionError(
      "invalid_input",
      `Checksum mismatch for ${name}: the ${sizeBytes} bytes downloaded do not have the expected sha256 ${sha256}. Nothing was kept in the store; check the URL and the checksum.`,
    );
  }
  await rename(partPath, store.pathOf(name));
  await syncFolder(store.dir);
  await store.remember(name, sha256);
  return { name, sizeBytes, sha256 };
}

/** `bytes START-END/TOTAL` (TOTAL may be `*`). */
export function contentRange(header: string | undefined): { start: number; total?: number } | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header?.trim() ?? "");
  if (!match) return undefined;
  return { start: Number(match[1]), total: match[2] === "*" ? undefined : Number(match[2]) };
}

function noSpace(store: ModelStore, name: string, neededBytes: number, availableBytes: number): ActionError {
  return new ActionError(
    "unavailable",
    `Not enough space for ${name}: it needs ${mb(neededBytes)} MB and ${store.dir} has ${mb(availableBytes)} MB free, of which ${mb(store.minFreeBytes)} MB must stay free (models.minFreeBytes). Free some space (ai_model_remove) and deploy again.`,
  );
}

function progressText(done: number, total: number | undefined, resumedFrom: number): string {
  const resumed = resumedFrom > 0 ? ` (resumed at ${mb(resumedFrom)} MB)` : "";
  return `Downloaded ${mb(done)}${total === undefined ? "" : ` of ${mb(total)}`} MB${resumed}`;
}

function mb(bytes: number): string {
  return (bytes / MB).toFixed(1);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${(error.cause as NodeJS.ErrnoException).code ?? error.cause.message}` : "";
  return `${error.message}${cause}`;
}
