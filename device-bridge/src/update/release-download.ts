import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { type ReleaseManifest, ReleaseManifestSchema, readCapped } from "@jetson/protocol";
import { ActionError } from "../action-error.js";
import type { DeviceIdentity } from "../device-service.js";

/** A manifest is a few hundred bytes; anything much larger is not one. */
const MAX_MANIFEST_BYTES = 4_096;

/** Where a device reads a release through its Worker, with its own credential. */
export function releaseUrl(identity: DeviceIdentity, version: string, part: "manifest" | "bundle"): URL {
  const url = new URL(`/device-releases/${identity.fleet}/${identity.deviceId}/${version}/${part}`, identity.url);
  // The bridge may be configured with its tunnel's ws(s): URL; the same origin serves HTTP(S).
  url.protocol = url.protocol === "wss:" ? "https:" : url.protocol === "ws:" ? "http:" : url.protocol;
  return url;
}

async function get(identity: DeviceIdentity, version: string, part: "manifest" | "bundle", signal: AbortSignal): Promise<Response> {
  const response = await fetch(releaseUrl(identity, version, part), { headers: { Authorization: `Bearer ${identity.token}` }, signal }).catch((error: Error) => {
    throw new ActionError("unavailable", `Could not reach the cloud for release ${version}: ${error.message}`);
  });
  if (response.status === 404) throw new ActionError("invalid_input", `No release ${version} is published for this fleet.`);
  if (!response.ok || !response.body) throw new ActionError("unavailable", `The cloud answered ${response.status} for release ${version}'s ${part}.`);
  return response;
}

export async function fetchManifest(identity: DeviceIdentity, version: string, signal: AbortSignal): Promise<ReleaseManifest> {
  const response = await get(identity, version, "manifest", signal);
  const bytes = response.body && (await readCapped(response.body.getReader(), MAX_MANIFEST_BYTES));
  let json: unknown;
  try {
    json = bytes && JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    json = undefined;
  }
  const parsed = ReleaseManifestSchema.safeParse(json);
  if (!parsed.success) throw new ActionError("permission_denied", `Release ${version}'s manifest is not a valid manifest. Nothing was changed.`);
  return parsed.data;
}

/**
 * Streams the bundle into `file`, never more than the manifest's size, and refuses it unless its
 * sha256 is the signed one. The file is the caller's to remove.
 */
export async function downloadBundle(identity: DeviceIdentity, manifest: ReleaseManifest, file: string, signal: AbortSignal): Promise<void> {
  const response = await get(identity, manifest.version, "bundle", signal);
  const reader = response.body?.getReader();
  if (!reader) throw new ActionError("unavailable", `The cloud sent no bundle for release ${manifest.version}.`);
  const hash = createHash("sha256");
  const handle = await open(file, "w", 0o644);
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > manifest.size) {
        await reader.cancel();
        throw new ActionError("permission_denied", `Release ${manifest.version}'s bundle is larger than its signed size (${manifest.size} bytes). Nothing was changed.`);
      }
      hash.update(value);
      await handle.write(value);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  const sha256 = hash.digest("hex");
  if (size !== manifest.size || sha256 !== manifest.sha256) {
    throw new ActionError(
      "permission_denied",
      `Release ${manifest.version}'s bundle does not match its signed manifest (sha256 ${sha256}, ${size} bytes; signed ${manifest.sha256}, ${manifest.size} bytes): it was altered. Nothing was changed.`,
    );
  }
}
