import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import { readFile } from "node:fs/promises";
import { type KeyRotation, keyRotationPayload, type ReleaseFacts, type ReleaseManifest, releaseSigningPayload } from "@jetson/protocol";

/** The release format's Ed25519 key as its raw public half (base64url, what devices pin) and its private half (PKCS#8 PEM, the operator's file). */
export function generateUpdateKey(): { publicKey: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return { publicKey: rawPublicKey(publicKey), privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

function rawPublicKey(key: KeyObject): string {
  const x = key.export({ format: "jwk" }).x;
  if (!x) throw new Error("not an Ed25519 key");
  return x;
}

/** The public half (base64url) of an Ed25519 private key in PEM. */
export function publicKeyOf(privateKeyPem: string): string {
  return rawPublicKey(createPublicKey(createPrivateKey(privateKeyPem)));
}

/** The operator's signature (base64url) over `payload`. */
function signature(payload: Uint8Array, privateKeyPem: string): string {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`the update key must be Ed25519, not ${key.asymmetricKeyType}`);
  return sign(null, payload, key).toString("base64url");
}

/** Whether `signature` is this public key's over `payload`; a key that is no Ed25519 point verifies nothing. */
function verified(publicKey: string, signature: string, payload: Uint8Array): boolean {
  try {
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicKey }, format: "jwk" });
    return verify(null, payload, key, Buffer.from(signature, "base64url"));
  } catch {
    return false;
  }
}

/** Signs the facts of a release with the operator's private key. */
export function signRelease(facts: ReleaseFacts, privateKeyPem: string): ReleaseManifest {
  return { ...facts, signature: signature(releaseSigningPayload(facts), privateKeyPem) };
}

/** Whether the manifest's signature is the given update key's over its facts. */
export function signedBy(manifest: ReleaseManifest, publicKey: string): boolean {
  return verified(publicKey, manifest.signature, releaseSigningPayload(manifest));
}

/** The current update key (its private half) hands the fleet over to the key whose public half is `to`. */
export function signKeyRotation(privateKeyPem: string, to: string, at = Date.now()): KeyRotation {
  const rotation = { from: publicKeyOf(privateKeyPem), to, at };
  return { ...rotation, signature: signature(keyRotationPayload(rotation), privateKeyPem) };
}

/** Whether the rotation is signed by the key it replaces. */
export function rotationSigned(rotation: KeyRotation): boolean {
  return verified(rotation.from, rotation.signature, keyRotationPayload(rotation));
}

/** A bundle file's sha256 and size, as a manifest states them. */
export async function describeBundle(file: string): Promise<{ sha256: string; size: number }> {
  const bytes = await readFile(file);
  return { sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.byteLength };
}
