import { mkdir, rename, rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { ActionError } from "../action-error.js";
import { syncFolder } from "../durable-write.js";
import { type ModelStore, sha256File } from "./model-store.js";

const ATTEMPTS = 3;
const MB = 1024 * 1024;
/** Without a Content-Length the space is checked again after every this many bytes. */
const SPACE_CHECK_BYTES = 64 * MB;

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
}

/** The transfer stopped early in a way a retry with Range can mend. */
class Interrupted extends Error {}

/**
 * Downloads a model into the store: to `<name>.part`, resuming what an earlier attempt left with
 * a Range request, after checking that the rest fits while leaving `minFreeBytes` free. The file
 * gets its name (an atomic rename) only once its sha256 matches; on a mismatch nothing is kept.
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
  const response = await fetch(url, {
    // identity: Content-Length and Range must count the file's own bytes, not a compressed form.
    headers: { "accept-encoding": "identity", ...(offset > 0 ? { range: `bytes=${offset}-` } : {}) },
    signal: options.signal,
    redirect: "follow",
  }).catch((error: unknown) => {
    if (options.signal.aborted) throw error;
    throw new Interrupted(describe(error));
  });
  // The part already holds the whole file: the checksum decides whether it is the right one.
  if (response.status === 416 && offset > 0) {
    await response.body?.cancel();
    return offset;
  }
  if (!response.ok) {
    await response.body?.cancel();
    if (response.status >= 500) throw new Interrupted(`the server answered ${response.status}`);
    throw new ActionError("invalid_input", `The server answered ${response.status} ${response.statusText} for ${url}: check the URL.`);
  }

  const range = response.status === 206 ? contentRange(response.headers.get("content-range")) : undefined;
  if (response.status === 206 && range?.start !== offset) {
    // A range other than the one asked for: start again from nothing rather than splice bytes.
    await response.body?.cancel();
    await rm(partPath, { force: true });
    throw new Interrupted(`the server sent an unexpected range (${response.headers.get("content-range")})`);
  }
  const start = range ? offset : 0;
  const length = response.headers.get("content-length");
  const total = range ? range.total : length === null ? undefined : Number(length);
  const remaining = total === undefined ? undefined : total - start;

  const available = await store.availableBytes();
  if (remaining !== undefined && available !== undefined && available - remaining < store.minFreeBytes) {
    await response.body?.cancel();
    throw noSpace(store, name, remaining, available);
  }

  const file = await store.openForWriting(partPath, start > 0);
  let written = start;
  let nextSpaceCheck = start + SPACE_CHECK_BYTES;
  options.onProgress(written, total, progressText(written, total, start));
  try {
    if (!response.body) throw new Interrupted("the server sent no body");
    for await (const chunk of response.body) {
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

/** Checks the finished .part and gives it the model's name, or deletes it. */
async function finish(store: ModelStore, { name, sha256 }: DeployRequest, options: DeployOptions) {
  const partPath = store.partPathOf(name);
  const sizeBytes = (await store.sizeOf(partPath)) ?? 0;
  options.onProgress(sizeBytes, sizeBytes, "Downloaded; checking sha256", true);
  const actual = await sha256File(partPath);
  if (actual !== sha256) {
    await rm(partPath, { force: true });
    throw new ActionError(
      "invalid_input",
      `Checksum mismatch for ${name}: expected sha256 ${sha256}, the download has ${actual}. Nothing was kept in the store; check the URL and the checksum.`,
    );
  }
  await rename(partPath, store.pathOf(name));
  await syncFolder(store.dir);
  await store.remember(name, sha256);
  return { name, sizeBytes, sha256 };
}

/** `bytes START-END/TOTAL` (TOTAL may be `*`). */
export function contentRange(header: string | null): { start: number; total?: number } | undefined {
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
