import { type KeyRotation, keyRotationPayload, type ReleaseManifest, ReleaseManifestSchema, releaseSigningPayload } from "@jetson/protocol";

const BUNDLE = "jetson-bridge.mjs";
const MANIFEST = "manifest.json";

function base64url(text: string): Uint8Array {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** Whether `signature` (base64url) is this Ed25519 public key's (raw, base64url) over `payload`; a key that is no Ed25519 point verifies nothing. */
async function verified(publicKey: string, signature: string, payload: Uint8Array): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey("raw", base64url(publicKey), { name: "Ed25519" }, false, ["verify"]);
    return await crypto.subtle.verify({ name: "Ed25519" }, key, base64url(signature), payload);
  } catch {
    return false;
  }
}

/** Whether the manifest is signed by this update key. */
export function signedBy(manifest: ReleaseManifest, publicKey: string): Promise<boolean> {
  return verified(publicKey, manifest.signature, releaseSigningPayload(manifest));
}

/** Whether the rotation is signed by the key it replaces. */
export function rotationSigned(rotation: KeyRotation): Promise<boolean> {
  return verified(rotation.from, rotation.signature, keyRotationPayload(rotation));
}

/** R2 writes only where no object is: two uploads of one version cannot both write it. */
const CREATE_ONLY: R2PutOptions = { onlyIf: { etagDoesNotMatch: "*" } };

/**
 * A fleet's bridge releases in the RELEASES bucket (R2; its local simulation under `wrangler dev`
 * and the test pool): `<fleet>/<version>/jetson-bridge.mjs` and, written after it, its
 * `manifest.json`, so a manifest is never served without its bundle. Both are written only where
 * nothing is, so of two uploads of one version exactly one is published, and its manifest
 * describes the bundle served.
 */
export class ReleaseStore {
  constructor(
    private readonly bucket: R2Bucket,
    private readonly fleet: string,
  ) {}

  private key(version: string, name: string): string {
    return `${this.fleet}/${version}/${name}`;
  }

  /**
   * Publishes a release unless its version is taken; answers whether it did. A bundle already there
   * without a manifest is another upload of the version under way (refused), or one cut off before
   * its manifest: the same bytes go on to their manifest, so the same release can be published again.
   */
  async publish(manifest: ReleaseManifest, bundle: Uint8Array): Promise<boolean> {
    const bundleKey = this.key(manifest.version, BUNDLE);
    if (!(await this.bucket.put(bundleKey, bundle, { ...CREATE_ONLY, sha256: manifest.sha256 }))) {
      const there = await this.bucket.head(bundleKey);
      if (there?.checksums.toJSON().sha256 !== manifest.sha256) return false;
    }
    const written = await this.bucket.put(this.key(manifest.version, MANIFEST), JSON.stringify(manifest), {
      ...CREATE_ONLY,
      httpMetadata: { contentType: "application/json" },
    });
    return written !== null;
  }

  async manifest(version: string): Promise<ReleaseManifest | undefined> {
    const object = await this.bucket.get(this.key(version, MANIFEST));
    const parsed = object && ReleaseManifestSchema.safeParse(await object.json());
    return parsed?.success ? parsed.data : undefined;
  }

  /** The bundle as a stream, never read whole here. */
  async bundle(version: string): Promise<R2ObjectBody | undefined> {
    return (await this.bucket.get(this.key(version, BUNDLE))) ?? undefined;
  }

  /** The published versions' manifests, newest upload first (at most 100). */
  async list(): Promise<ReleaseManifest[]> {
    const listed = await this.bucket.list({ prefix: `${this.fleet}/`, limit: 1_000 });
    const versions = listed.objects
      .filter((object) => object.key.endsWith(`/${MANIFEST}`))
      .sort((a, b) => b.uploaded.getTime() - a.uploaded.getTime())
      .slice(0, 100)
      .map((object) => object.key.split("/")[1] ?? "");
    const manifests = await Promise.all(versions.map((version) => this.manifest(version)));
    return manifests.filter((manifest): manifest is ReleaseManifest => manifest !== undefined);
  }
}
