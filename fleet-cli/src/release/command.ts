import { readFile, stat, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { ReleaseFactsSchema, ReleaseManifestSchema } from "@jetson/protocol";
import { describeBundle, signKeyRotation, signRelease } from "@jetson/device-bridge/release-signing";
import { z } from "zod";
import type { FleetApi } from "../api-client.js";
import { readPrivateKey, writeNewKey } from "./key-files.js";

export const RELEASE_USAGE = [
  "release keygen --key FILE                  make the fleet's update key (FILE, mode 0600, stays with you; FILE.pub) and pin its public half on the fleet",
  "release pin --key FILE                     pin the public half of an existing update key on the fleet (once; never replaced)",
  "release rotate --key FILE --new-key FILE   replace the fleet's update key (FILE) by a new one (written to the second FILE when absent), signed over by the old; devices follow at their next update",
  "release sign --key FILE --bundle FILE --version X.Y.Z [--arch arm64|x64] [--out FILE]   sign a bridge bundle (offline): writes its manifest (default BUNDLE.manifest.json)",
  "release publish --bundle FILE [--manifest FILE]   upload a signed release to the fleet (admin scope)",
  "release list                               the fleet's published releases",
].join("\n  jetson-fleet ");

const SUBCOMMANDS: Record<string, (api: FleetApi, args: string[]) => Promise<unknown>> = {
  async keygen(api, args) {
    const { values } = parseArgs({ args, options: { key: { type: "string" } } });
    if (!values.key) throw new Error("release keygen needs --key FILE (where the private key is written)");
    const publicKey = await writeNewKey(values.key);
    return { key: values.key, publicKey, ...(await pin(api, publicKey, values.key)) };
  },
  async pin(api, args) {
    const { values } = parseArgs({ args, options: { key: { type: "string" } } });
    if (!values.key) throw new Error("release pin needs --key FILE");
    return pin(api, (await readPrivateKey(values.key)).publicKey, values.key);
  },
  async rotate(api, args) {
    const { values } = parseArgs({ args, options: { key: { type: "string" }, "new-key": { type: "string" } } });
    const newKey = values["new-key"];
    if (!values.key || !newKey) throw new Error("release rotate needs --key FILE (the fleet's update key now) and --new-key FILE (the next one; made if absent)");
    const current = await readPrivateKey(values.key);
    // An existing file is the next key already made, by a rotation that did not reach the fleet.
    const to = await stat(newKey).then(
      async () => (await readPrivateKey(newKey)).publicKey,
      () => writeNewKey(newKey),
    );
    const rotated = await api.request<object>("POST", "/releases/key/rotations", signKeyRotation(current.privateKeyPem, to)).catch((error: Error) => {
      throw new Error(`${error.message}\nThe new key is in ${newKey}; once the problem is fixed, run the same rotate command again.`);
    });
    return { key: newKey, ...rotated };
  },
  async sign(_api, args) {
    const { values } = parseArgs({
      args,
      options: { key: { type: "string" }, bundle: { type: "string" }, version: { type: "string" }, arch: { type: "string" }, out: { type: "string" } },
    });
    if (!values.key || !values.bundle || !values.version) throw new Error("release sign needs --key, --bundle and --version");
    const facts = ReleaseFactsSchema.safeParse({ version: values.version, platform: "linux", arch: values.arch ?? "arm64", ...(await describeBundle(values.bundle)) });
    if (!facts.success) throw new Error(`Cannot sign this release: ${z.prettifyError(facts.error)}`);
    const manifest = signRelease(facts.data, (await readPrivateKey(values.key)).privateKeyPem);
    const out = values.out ?? `${values.bundle}.manifest.json`;
    await writeFile(out, `${JSON.stringify(manifest, null, 2)}\n`);
    return { manifest: out, ...manifest };
  },
  async publish(api, args) {
    const { values } = parseArgs({ args, options: { bundle: { type: "string" }, manifest: { type: "string" } } });
    if (!values.bundle) throw new Error("release publish needs --bundle (and its manifest, default BUNDLE.manifest.json)");
    const manifestFile = values.manifest ?? `${values.bundle}.manifest.json`;
    const manifest = ReleaseManifestSchema.safeParse(JSON.parse(await readFile(manifestFile, "utf8")));
    if (!manifest.success) throw new Error(`${manifestFile} is not a signed release manifest: ${z.prettifyError(manifest.error)}`);
    return api.send("PUT", `/releases/${manifest.data.version}`, await readFile(values.bundle), {
      "Release-Manifest": Buffer.from(JSON.stringify(manifest.data)).toString("base64url"),
      "Content-Type": "application/octet-stream",
    });
  },
  list: (api) => api.request("GET", "/releases"),
};

async function pin(api: FleetApi, publicKey: string, file: string): Promise<object> {
  return api.request<object>("PUT", "/releases/key", { publicKey }).catch((error: Error) => {
    throw new Error(`${error.message}\nThe key is in ${file}; pin it later with: jetson-fleet release pin --key ${file}`);
  });
}

export function releaseCommand(api: FleetApi, [name = "", ...args]: string[]): Promise<unknown> {
  const subcommand = SUBCOMMANDS[name];
  if (!subcommand) throw new Error(`release needs one of ${Object.keys(SUBCOMMANDS).join(", ")}`);
  return subcommand(api, args);
}
