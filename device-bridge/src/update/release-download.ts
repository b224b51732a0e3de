import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { type KeyRotation, KeyRotationsSchema, type ReleaseManifest, ReleaseManifestSchema, readCapped } from "@jetson/protocol";
import { z } from "zod";
import { ActionError } from "../action-error.js";
import type { DeviceIdentity } from "../device-service.js";

/** A manifest is a few hundred bytes; anything much larger is not one. */
const MAX_MANIFEST_BYTES = 4_096;

/** The fleet's whole list of rotations: at most 64 of about 250 bytes each. */
const MAX_ROTATIONS_BYTES = 64 * 1024;
const RotationsAnswerSchema = z.object({ rotations: KeyRotationsSchema });

/** Where a device reads releases and key rotations through its Worker, with its own credential. */
function deviceReleasesUrl(identity: DeviceIdentity, tail: string): URL {
  const url = new URL(`/device-releases/${identity.fleet}/${identity.deviceId}/${tail}`, identity.url);
  // The bridge may be configured with its tunnel's ws(s): URL; the same origin serves HTTP(S).
  url.protocol = url.protocol === "wss:" ? "https:" : url.protocol === "ws:" ? "http:" : url.protocol;
  return url;
}

export function releaseUrl(identity: DeviceIdentity, version: string, part: "manifest" | "bundle"): URL {
  return deviceReleasesUrl(identity, `${version}/${part}`);
}

/** `what` names the thing asked for in the errors ("release 1.2.0's manifest"); `missing`, what a 404 means, if it means more than a failure. */
async function get(identity: DeviceIdentity, tail: string, what: string, signal: AbortSignal, missing?: string): Promise<Response> {
  const response = await fetch(deviceReleasesUrl(identity, tail), { headers: { Authorization: `Bearer ${identity.token}` }, signal }).catch((error: Error) => {
    throw new ActionError("unavailable", `Could not reach the cloud for ${what}: ${error.message}`);
  });
  if (response.status === 404 && missing !== undefined) throw new ActionError("invalid_input", missing);
  if (!response.ok || !response.body) throw new ActionError("unavailable", `The cloud answered ${response.status} for ${what}.`);
  return response;
}

/** A release's part; a version the fleet has not published is the caller's mistake, not the cloud's. */
function releasePart(identity: DeviceIdentity, version: string, part: "manifest" | "bundle", signal: AbortSignal): Promise<Response> {
  return get(identity, `${version}/${part}`, `release ${version}'s ${part}`, signal, `No release ${version} is published for this fleet.`);
}

/** The JSON of a small answer, or undefined when it is too large or not JSON. */
async function smallJson(response: Response, maxBytes: number): Promise<unknown> {
  const bytes = response.body && (await readCapped(response.body.getReader(), maxBytes));
  try {
    return bytes && JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}

export async function fetchManifest(identity: DeviceIdentity, version: string, signal: AbortSignal): Promise<ReleaseManifest> {
  const response = await releasePart(identity, version, "manifest", signal);
  const parsed = ReleaseManifestSchema.safeParse(await smallJson(response, MAX_MANIFEST_BYTES));
  if (!parsed.success) throw new ActionError("permission_denied", `Release ${version}'s manifest is not a valid manifest. Nothing was changed.`);
  return parsed.data;
}

/** The fleet's rotations of its update key, oldest first, as the cloud keeps them; the caller checks each one's signature. */
export async function fetchKeyRotations(identity: DeviceIdentity, signal: AbortSignal): Promise<KeyRotation[]> {
  const response = await get(identity, "key-rotations", "the fleet's update key rotations", signal);
  const parsed = RotationsAnswerSchema.safeParse(await smallJson(response, MAX_ROTATIONS_BYTES));
  if (!parsed.success) throw new ActionError("permission_denied", "The fleet's update key rotations are not a valid list. Nothing was changed.");
  return parsed.data.rotations;
}

/**
 * Streams the bundle into `file`, never more than the manifest's size, and refuses it unless its
 * sha256 is the signed one. The file is the caller's to remove.
 */
export async function downloadBundle(identity: DeviceIdentity, manifest: ReleaseManifest, file: string, signal: AbortSignal): Promise<void> {
  const response = await releasePart(identity, manifest.version, "bundle", signal);
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
