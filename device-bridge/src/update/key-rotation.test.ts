import { keyAfterRotations, type KeyRotation } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { generateUpdateKey, rotationSigned, signedBy, signKeyRotation, signRelease } from "./release-signing.js";

// A device follows the fleet's key rotations from the key it trusts, checking each signature itself:
// the cloud that serves the list is not trusted to have checked them.

const [a, b, c, intruder] = [generateUpdateKey(), generateUpdateKey(), generateUpdateKey(), generateUpdateKey()];
const aToB = signKeyRotation(a.privateKeyPem, b.publicKey);
const bToC = signKeyRotation(b.privateKeyPem, c.publicKey);
const follow = (from: string, rotations: KeyRotation[]) => keyAfterRotations(from, rotations, rotationSigned);

describe("following the fleet's update key rotations", () => {
  it("goes from the key a device trusts to the newest, whichever key it trusted", async () => {
    expect(await follow(a.publicKey, [aToB, bToC])).toBe(c.publicKey);
    expect(await follow(b.publicKey, [aToB, bToC])).toBe(c.publicKey);
    expect(await follow(c.publicKey, [aToB, bToC])).toBe(c.publicKey);
  });

  it("takes no rotation the key it starts from did not sign, however the list is arranged", async () => {
    // The intruder's own rotation, relabelled as if it started from the device's key.
    const forged = { ...signKeyRotation(intruder.privateKeyPem, intruder.publicKey), from: a.publicKey };
    expect(await follow(a.publicKey, [forged])).toBe(a.publicKey);
    expect(await follow(a.publicKey, [forged, aToB, bToC])).toBe(c.publicKey);
    expect(await follow(a.publicKey, [{ ...aToB, to: intruder.publicKey }])).toBe(a.publicKey);
    expect(await follow(a.publicKey, [{ ...aToB, at: aToB.at + 1 }])).toBe(a.publicKey);
    // A rotation out of order leads nowhere: B's step comes before the device trusts B.
    expect(await follow(a.publicKey, [bToC, aToB])).toBe(b.publicKey);
  });

  it("cannot be taken for a release's signature, nor a release's for a rotation", () => {
    expect(rotationSigned(aToB)).toBe(true);
    const facts = { version: "1.0.0", sha256: "0".repeat(64), platform: "linux" as const, arch: "arm64" as const, size: 1 };
    const release = signRelease(facts, a.privateKeyPem);
    expect(rotationSigned({ ...aToB, signature: release.signature })).toBe(false);
    expect(signedBy({ ...facts, signature: aToB.signature }, a.publicKey)).toBe(false);
  });
});
