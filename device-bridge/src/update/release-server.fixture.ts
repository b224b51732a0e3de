// For tests: a fleet's release endpoint serving one signed release, its bundle held half way (see heldDownloads).
import { createHash } from "node:crypto";
import { type HeldDownloads, heldDownloads } from "../held-downloads.fixture.js";
import { generateUpdateKey, signRelease } from "./release-signing.js";

export async function releaseServer(version: string): Promise<HeldDownloads & { updateKey: string }> {
  const key = generateUpdateKey();
  const bundle = Buffer.from(`console.log("bridge ${version}");\n`.repeat(4_000));
  const manifest = signRelease({ version, sha256: createHash("sha256").update(bundle).digest("hex"), platform: "linux", arch: "arm64", size: bundle.byteLength }, key.privateKeyPem);
  const server = await heldDownloads({ [`/${version}/bundle`]: bundle }, { [`/${version}/manifest`]: JSON.stringify(manifest) });
  return { ...server, updateKey: key.publicKey };
}
