import type { ReleaseFacts } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { checkManifest, type ReleaseExpectation } from "./release-check.js";
import { generateUpdateKey, signedBy, signRelease } from "./release-signing.js";

const fleetKey = generateUpdateKey();
const facts: ReleaseFacts = { version: "1.2.0", sha256: "a".repeat(64), platform: "linux", arch: "arm64", size: 1_000 };
const expected: ReleaseExpectation = { version: "1.2.0", pinnedKey: fleetKey.publicKey, running: "1.1.0", allowDowngrade: false, platform: "linux", arch: "arm64" };

describe("release manifests", () => {
  it("accepts a release signed by the pinned key for this architecture and a newer version", () => {
    const manifest = signRelease(facts, fleetKey.privateKeyPem);
    expect(signedBy(manifest, fleetKey.publicKey)).toBe(true);
    expect(() => checkManifest(manifest, expected)).not.toThrow();
  });

  it("refuses a signature by another key", () => {
    const manifest = signRelease(facts, generateUpdateKey().privateKeyPem);
    expect(() => checkManifest(manifest, expected)).toThrow(/signature is not the fleet's update key's/);
  });

  it("refuses a manifest whose signed facts were changed afterwards (any field)", () => {
    const manifest = signRelease(facts, fleetKey.privateKeyPem);
    for (const change of [{ sha256: "b".repeat(64) }, { size: 999 }, { version: "1.3.0" }, { arch: "x64" as const }]) {
      expect(() => checkManifest({ ...manifest, ...change }, { ...expected, version: manifest.version })).toThrow(/signature/);
    }
  });

  it("refuses a signed manifest of another version than the one asked for", () => {
    const manifest = signRelease({ ...facts, version: "1.3.0" }, fleetKey.privateKeyPem);
    expect(() => checkManifest(manifest, expected)).toThrow(/manifest is for version 1\.3\.0/);
  });

  it("refuses a bundle for another architecture", () => {
    const manifest = signRelease({ ...facts, arch: "x64" }, fleetKey.privateKeyPem);
    expect(() => checkManifest(manifest, expected)).toThrow(/built for linux\/x64; this device is linux\/arm64/);
  });

  it("refuses a downgrade unless asked, and the running version", () => {
    const older = signRelease({ ...facts, version: "1.0.9" }, fleetKey.privateKeyPem);
    const asked = { ...expected, version: "1.0.9" };
    expect(() => checkManifest(older, asked)).toThrow(/older than the running 1\.1\.0: a downgrade needs allowDowngrade: true/);
    expect(() => checkManifest(older, { ...asked, allowDowngrade: true })).not.toThrow();
    const same = signRelease({ ...facts, version: "1.1.0" }, fleetKey.privateKeyPem);
    expect(() => checkManifest(same, { ...expected, version: "1.1.0" })).toThrow(/already runs version 1\.1\.0/);
  });

  it("orders versions by number, not text", () => {
    const manifest = signRelease({ ...facts, version: "1.10.0" }, fleetKey.privateKeyPem);
    expect(() => checkManifest(manifest, { ...expected, version: "1.10.0", running: "1.9.0" })).not.toThrow();
  });
});
