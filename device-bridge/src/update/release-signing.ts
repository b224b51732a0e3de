import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import { readFile } from "node:fs/promises";
import { type ReleaseFacts, type ReleaseManifest, releaseSigningPayload } from "@jetson/protocol";

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

/** Signs the facts of a release with the operator's private key. */
export function signRelease(facts: ReleaseFacts, privateKeyPem: string): ReleaseManifest {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`the update key must be Ed25519, not ${key.asymmetricKeyType}`);
  return { ...facts, signature: sign(null, releaseSigningPayload(facts), key).toString("base64url") };
}

/** Whether the manifest's signature is the given update key's over its facts. */
export function signedBy(manifest: ReleaseManifest, publicKey: string): boolean {
  const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicKey }, format: "jwk" });
  return verify(null, releaseSigningPayload(manifest), key, Buffer.from(manifest.signature, "base64url"));
}

/** A bundle file's sha256 and size, as a manifest states them. */
export async function describeBundle(file: string): Promise<{ sha256: string; size: number }> {
  const bytes = await readFile(file);
  return { sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.byteLength };
}
