import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ReleaseManifestSchema } from "@jetson/protocol";
import { checkManifest } from "@jetson/device-bridge/release-check";
import { describe, expect, it } from "vitest";
import { FleetApi } from "../api-client.js";
import { releaseCommand } from "./command.js";

const offline = new FleetApi("", "");

describe("jetson-fleet release", () => {
  it("keygen writes the private key for the operator only and never replaces one", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "release-key-"));
    const key = path.join(dir, "update.key");
    // No Worker configured: the key is still written, and the error says how to pin it.
    await expect(releaseCommand(offline, ["keygen", "--key", key])).rejects.toThrow(/Set JETSON_FLEET_URL[\s\S]*release pin --key/);
    expect((await stat(key)).mode & 0o777).toBe(0o600);
    expect(await readFile(`${key}.pub`, "utf8")).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    const before = await readFile(key, "utf8");
    await expect(releaseCommand(offline, ["keygen", "--key", key])).rejects.toThrow(/exists already: refusing to replace/);
    expect(await readFile(key, "utf8")).toBe(before);
  });

  it("rotate keeps the new key it made when the fleet cannot be reached, and takes it up again when run again", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "release-rotate-"));
    const [key, next] = [path.join(dir, "update.key"), path.join(dir, "update-next.key")];
    await releaseCommand(offline, ["keygen", "--key", key]).catch(() => undefined);
    await expect(releaseCommand(offline, ["rotate", "--key", key, "--new-key", next])).rejects.toThrow(/Set JETSON_FLEET_URL[\s\S]*The new key is in .*update-next\.key.*run the same rotate command again/);
    expect((await stat(next)).mode & 0o777).toBe(0o600);
    const made = await readFile(next, "utf8");
    await expect(releaseCommand(offline, ["rotate", "--key", key, "--new-key", next])).rejects.toThrow(/run the same rotate command again/);
    expect(await readFile(next, "utf8")).toBe(made);
    await expect(releaseCommand(offline, ["rotate", "--key", key])).rejects.toThrow(/needs --key FILE .* and --new-key FILE/);
  });

  it("sign writes a manifest a device holding the public key accepts", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "release-sign-"));
    const key = path.join(dir, "update.key");
    await releaseCommand(offline, ["keygen", "--key", key]).catch(() => undefined);
    const bundle = path.join(dir, "jetson-bridge.mjs");
    await writeFile(bundle, "console.log('bridge');\n");

    await releaseCommand(offline, ["sign", "--key", key, "--bundle", bundle, "--version", "2.0.0", "--arch", "x64"]);
    const manifest = ReleaseManifestSchema.parse(JSON.parse(await readFile(`${bundle}.manifest.json`, "utf8")));
    expect(manifest).toMatchObject({ version: "2.0.0", platform: "linux", arch: "x64", size: 23 });
    const pinnedKey = (await readFile(`${key}.pub`, "utf8")).trim();
    expect(() => checkManifest(manifest, { version: "2.0.0", pinnedKey, running: "1.0.0", allowDowngrade: false, platform: "linux", arch: "x64" })).not.toThrow();

    await expect(releaseCommand(offline, ["sign", "--key", key, "--bundle", bundle, "--version", "2.0"])).rejects.toThrow(/MAJOR\.MINOR\.PATCH/);
    await expect(releaseCommand(offline, ["sign", "--key", bundle, "--bundle", bundle, "--version", "2.0.1"])).rejects.toThrow(/not an Ed25519 private key/);
  });
});
