import { z } from "zod";
import { deviceText } from "./device-text.js";

/** A bridge release's version: MAJOR.MINOR.PATCH, compared numerically (no pre-releases, so the order is never in doubt). */
export const BridgeVersionSchema = z
  .string()
  .regex(/^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$/, "a version is MAJOR.MINOR.PATCH, e.g. 1.4.2");

/** Negative when a is older than b, 0 when equal, positive when newer. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((version) => version.split(".").map(Number));
  for (let i = 0; i < 3; i++) {
    const difference = (x?.[i] ?? 0) - (y?.[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

const base64url = (bytes: number, what: string) =>
  z.string().length(Math.ceil((bytes * 4) / 3), `${what} is ${bytes} bytes in base64url (${Math.ceil((bytes * 4) / 3)} characters)`).regex(/^[A-Za-z0-9_-]+$/, `${what} is base64url`);

/** A fleet's Ed25519 update public key: its 32 raw bytes, base64url. */
export const UpdatePublicKeySchema = base64url(32, "an Ed25519 public key");
/** An Ed25519 signature: 64 bytes, base64url. */
export const ReleaseSignatureSchema = base64url(64, "an Ed25519 signature");

/** The largest bundle a device downloads; a single-file bridge is a few MiB. */
export const MAX_RELEASE_BYTES = 32 * 1024 * 1024;

/** What a release's signature covers. */
export const ReleaseFactsSchema = z.object({
  version: BridgeVersionSchema,
  /** SHA-256 of the bundle, lowercase hex. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "sha256 is 64 lowercase hexadecimal characters"),
  /** Node's process.platform and process.arch the bundle is for (a bundle is JavaScript, but it may carry native parts). */
  platform: z.enum(["linux"]),
  arch: z.enum(["arm64", "x64"]),
  size: z.number().int().positive().max(MAX_RELEASE_BYTES),
});
export type ReleaseFacts = z.infer<typeof ReleaseFactsSchema>;

/** A signed release manifest, as published beside its bundle. */
export const ReleaseManifestSchema = ReleaseFactsSchema.extend({ signature: ReleaseSignatureSchema });
export type ReleaseManifest = z.infer<typeof ReleaseManifestSchema>;

/**
 * The bytes an update key signs: a fixed prefix (so no other signed message can pass for a
 * release) and the facts as a JSON array in a fixed order, so both sides encode them identically.
 */
export function releaseSigningPayload(facts: ReleaseFacts): Uint8Array {
  const { version, sha256, platform, arch, size } = facts;
  return new TextEncoder().encode(`jetson-bridge-release/v1\n${JSON.stringify([version, sha256, platform, arch, size])}`);
}

/**
 * A change of the fleet's update key, signed by the key it replaces: a device that trusts `from`
 * trusts `to` from then on. `at` (ms since the epoch) is when the operator signed it.
 */
export const KeyRotationSchema = z.object({
  from: UpdatePublicKeySchema,
  to: UpdatePublicKeySchema,
  at: z.number().int().nonnegative(),
  signature: ReleaseSignatureSchema,
});
export type KeyRotation = z.infer<typeof KeyRotationSchema>;

/** A fleet keeps every rotation, oldest first, so a device enrolled under any earlier key can follow them. */
export const MAX_KEY_ROTATIONS = 64;
export const KeyRotationsSchema = z.array(KeyRotationSchema).max(MAX_KEY_ROTATIONS);

/** The bytes the old key signs: a prefix of its own, so that neither a release nor a rotation passes for the other. */
export function keyRotationPayload(rotation: Omit<KeyRotation, "signature">): Uint8Array {
  const { from, to, at } = rotation;
  return new TextEncoder().encode(`jetson-update-key-rotation/v1\n${JSON.stringify([from, to, at])}`);
}

/**
 * The key a device that trusts `pinned` trusts after the fleet's rotations (oldest first): it
 * takes each rotation whose `from` is the key it trusts at that point and whose signature that
 * key made. A rotation that does not verify is skipped, so a forged step leads nowhere.
 */
export async function keyAfterRotations(pinned: string, rotations: readonly KeyRotation[], verify: (rotation: KeyRotation) => boolean | Promise<boolean>): Promise<string> {
  let trusted = pinned;
  for (const rotation of rotations) {
    if (rotation.from === trusted && (await verify(rotation))) trusted = rotation.to;
  }
  return trusted;
}

/** What the device says about its last update (part of its state): kept until the next one. */
export const BridgeUpdateRecordSchema = z.object({
  version: deviceText(32),
  from: deviceText(32),
  outcome: z.enum(["updated", "rolled-back"]),
  /** Why the new version was rolled back. */
  reason: deviceText(500).optional(),
  at: z.number().int().nonnegative(),
});
export type BridgeUpdateRecord = z.infer<typeof BridgeUpdateRecordSchema>;
