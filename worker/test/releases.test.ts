import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { type KeyRotation, keyRotationPayload, type ReleaseFacts, type ReleaseManifest, releaseSigningPayload } from "@jetson/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { createFleet } from "./device-client.js";

function rest(token: string, method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}) {
  return exports.default.fetch(`http://w${path}`, { method, headers: { Authorization: `Bearer ${token}`, ...init.headers }, body: init.body });
}

function base64url(bytes: ArrayBuffer | Uint8Array): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

interface UpdateKey {
  publicKey: string;
  sign(facts: ReleaseFacts): Promise<ReleaseManifest>;
  /** A rotation from this key to `to`, as `jetson-fleet release rotate` signs one. */
  rotateTo(to: string): Promise<KeyRotation>;
}

/** An operator's update key, made here as `jetson-fleet release keygen` makes one on the operator's machine. */
async function updateKey(): Promise<UpdateKey> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const publicKey = base64url((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  const signature = async (payload: Uint8Array) => base64url(await crypto.subtle.sign({ name: "Ed25519" }, pair.privateKey, payload));
  return {
    publicKey,
    sign: async (facts) => ({ ...facts, signature: await signature(releaseSigningPayload(facts)) }),
    rotateTo: async (to) => {
      const rotation = { from: publicKey, to, at: Date.now() };
      return { ...rotation, signature: await signature(keyRotationPayload(rotation)) };
    },
  };
}

async function release(version: string, text: string): Promise<{ bundle: Uint8Array; facts: ReleaseFacts }> {
  const bundle = new TextEncoder().encode(text);
  const digest = base16(await crypto.subtle.digest("SHA-256", bundle));
  return { bundle, facts: { version, sha256: digest, platform: "linux", arch: "arm64", size: bundle.byteLength } };
}

function base16(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function publish(token: string, manifest: ReleaseManifest, bundle: Uint8Array, version = manifest.version) {
  return rest(token, "PUT", `/releases/${version}`, {
    body: bundle,
    headers: { "Release-Manifest": base64url(new TextEncoder().encode(JSON.stringify(manifest))) },
  });
}

async function scoped(admin: string, scopes: string[]): Promise<string> {
  const response = await rest(admin, "POST", "/api/tokens", { body: JSON.stringify({ name: scopes.join("-"), scopes }), headers: { "Content-Type": "application/json" } });
  return ((await response.json()) as { token: string }).token;
}

async function enrolled(admin: string, device: string): Promise<{ fleet: string; deviceId: string; token: string; updateKey?: string }> {
  const code = await rest(admin, "POST", "/api/enrollments", { body: JSON.stringify({ device }), headers: { "Content-Type": "application/json" } });
  const redeemed = await exports.default.fetch("http://w/enroll", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ code: ((await code.json()) as { code: string }).code }),
  });
  expect(redeemed.status).toBe(201);
  return redeemed.json();
}

let admin: string;
let key: UpdateKey;

beforeAll(async () => {
  admin = await createFleet("releases");
  key = await updateKey();
});

describe("bridge releases", () => {
  it("pins the fleet's update key once, and hands it to every device enrolled after", async () => {
    const before = await enrolled(admin, "before-key");
    expect(before.updateKey).toBeUndefined();
    expect((await publish(admin, await key.sign((await release("0.9.0", "x")).facts), new TextEncoder().encode("x"))).status).toBe(409);

    const operate = await scoped(admin, ["read", "operate"]);
    expect((await rest(operate, "PUT", "/releases/key", { body: JSON.stringify({ publicKey: key.publicKey }) })).status).toBe(403);
    expect((await rest(admin, "PUT", "/releases/key", { body: JSON.stringify({ publicKey: "short" }) })).status).toBe(400);
    const pinned = await rest(admin, "PUT", "/releases/key", { body: JSON.stringify({ publicKey: key.publicKey }) });
    expect(await pinned.json()).toEqual({ updateKey: key.publicKey });
    expect((await rest(admin, "PUT", "/releases/key", { body: JSON.stringify({ publicKey: key.publicKey }) })).status).toBe(200);
    const other = await rest(admin, "PUT", "/releases/key", { body: JSON.stringify({ publicKey: (await updateKey()).publicKey }) });
    expect(other.status).toBe(409);
    expect(await other.text()).toMatch(/only a rotation it signs can replace it/);

    expect((await enrolled(admin, "after-key")).updateKey).toBe(key.publicKey);
    expect(await (await rest(admin, "GET", "/api/settings")).json()).toMatchObject({ updateKey: key.publicKey });
  });

  it("publishes a release signed by the fleet's key, and refuses a wrong signature, hash or size, a replacement, or a caller without admin", async () => {
    const { bundle, facts } = await release("1.0.0", "console.log('bridge 1.0.0');\n");
    const signed = await key.sign(facts);
    const refusals: Array<[Response, number, RegExp]> = [
      [await publish(admin, await (await updateKey()).sign(facts), bundle), 400, /not signed by the fleet's update key/],
      [await publish(admin, { ...signed, size: signed.size + 1 }, bundle), 400, /not signed/],
      [await publish(admin, signed, new TextEncoder().encode("console.log('bridge 1.0.1');\n")), 400, /sha256 is not its manifest's/],
      [await publish(admin, signed, bundle.slice(1)), 400, /not the \d+ bytes its manifest states/],
      [await publish(admin, signed, bundle, "1.0.1"), 400, /manifest is for version 1\.0\.0/],
      [await publish(await scoped(admin, ["read", "operate"]), signed, bundle), 403, /admin/],
    ];
    for (const [response, status, message] of refusals) {
      expect(response.status).toBe(status);
      expect(await response.text()).toMatch(message);
    }
    expect((await publish(admin, signed, bundle)).status).toBe(201);
    expect((await publish(admin, signed, bundle)).status).toBe(409);
    expect(await (await rest(admin, "GET", "/releases")).json()).toEqual({ releases: [signed] });

    const audit = (await (await rest(admin, "GET", "/api/audit?device=*")).json()) as { entries: Array<{ action: string; outcome: string }> };
    const published = audit.entries.filter((entry) => entry.action === "release.publish").map((entry) => entry.outcome);
    // Before the key, five bad uploads, the replacement (the caller without admin never reaches the release's checks).
    expect(published.filter((outcome) => outcome === "refused")).toHaveLength(7);
    expect(published.filter((outcome) => outcome === "succeeded")).toHaveLength(1);
  });

  it("serves a release to an enrolled device of the fleet with its own credential only", async () => {
    const { bundle, facts } = await release("1.1.0", "console.log('bridge 1.1.0');\n");
    const signed = await key.sign(facts);
    expect((await publish(admin, signed, bundle)).status).toBe(201);
    const device = await enrolled(admin, "downloader");
    const other = await enrolled(admin, "neighbour");
    const get = (token: string, part: string, version = "1.1.0", deviceId = device.deviceId) =>
      rest(token, "GET", `/device-releases/${device.fleet}/${deviceId}/${version}/${part}`);

    expect(await (await get(device.token, "manifest")).json()).toEqual(signed);
    expect(new Uint8Array(await (await get(device.token, "bundle")).arrayBuffer())).toEqual(bundle);
    expect((await get(device.token, "manifest", "9.9.9")).status).toBe(404);
    expect((await get(other.token, "bundle")).status).toBe(401);
    expect((await get(admin, "bundle")).status).toBe(401);
    expect((await get(device.token, "bundle", "1.1.0", "nobody")).status).toBe(401);
  });

  it("publishes exactly one of two uploads of a version sent at once, and serves the bundle its manifest describes", async () => {
    const signal = () => {
      let fire = () => {};
      const fired = new Promise<void>((resolve) => (fire = resolve));
      return { fired, fire };
    };
    const gate = signal();
    /** A bundle sent in three parts; the last waits for the gate, which opens once the Worker reads both uploads' bodies (past its check for a published version). */
    const slowly = (bundle: Uint8Array, reading: () => void) => {
      const parts = [bundle.slice(0, 8), bundle.slice(8, 16), bundle.slice(16)];
      let pulls = 0;
      return new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            // The Worker's side holds at most one part ahead of what the route has read: a third pull means the route reads.
            if (++pulls === 3) {
              reading();
              await gate.fired;
            }
            const part = parts.shift();
            if (part) controller.enqueue(part);
            if (parts.length === 0) controller.close();
          },
        },
        { highWaterMark: 0 },
      );
    };
    const uploads = await Promise.all(["first", "second"].map((which) => release("3.0.0", `console.log('bridge 3.0.0, the ${which} build');\n`)));
    const reading = uploads.map(signal);
    const answers = uploads.map(async ({ bundle, facts }, i) => {
      const manifest = await key.sign(facts);
      const body = slowly(bundle, () => reading[i]?.fire());
      return rest(admin, "PUT", "/releases/3.0.0", { body, headers: { "Release-Manifest": base64url(new TextEncoder().encode(JSON.stringify(manifest))) } });
    });
    await Promise.all(reading.map((r) => r.fired));
    gate.fire();
    const responses = await Promise.all(answers);
    expect(responses.map((response) => response.status).sort()).toEqual([201, 409]);
    const loser = responses.find((response) => response.status === 409);
    expect(await loser?.text()).toMatch(/published already/);

    const device = await enrolled(admin, "race-watcher");
    const read = (part: string) => rest(device.token, "GET", `/device-releases/${device.fleet}/${device.deviceId}/3.0.0/${part}`);
    const served = (await (await read("manifest")).json()) as ReleaseManifest;
    const bytes = new Uint8Array(await (await read("bundle")).arrayBuffer());
    expect(base16(await crypto.subtle.digest("SHA-256", bytes))).toBe(served.sha256);
    const winner = responses.findIndex((response) => response.status === 201);
    expect(bytes).toEqual(uploads[winner]?.bundle);
  });

  it("publishes a release again after an upload cut off between its bundle and its manifest, refusing other bytes for that version", async () => {
    const { bundle, facts } = await release("3.1.0", "console.log('bridge 3.1.0');\n");
    // As an upload cut off after its bundle leaves it: the bundle, no manifest.
    await env.RELEASES.put("releases/3.1.0/jetson-bridge.mjs", bundle, { sha256: facts.sha256 });
    const other = await release("3.1.0", "console.log('bridge 3.1.0, rebuilt');\n");
    expect((await publish(admin, await key.sign(other.facts), other.bundle)).status).toBe(409);
    expect((await publish(admin, await key.sign(facts), bundle)).status).toBe(201);
  });

  it("replaces the update key only by a rotation the current key signed, and keeps every rotation for devices enrolled before it", async () => {
    const fleetAdmin = await createFleet("rotations");
    const [first, second, third] = [await updateKey(), await updateKey(), await updateKey()];
    const rotate = (token: string, rotation: unknown) => rest(token, "POST", "/releases/key/rotations", { body: JSON.stringify(rotation), headers: { "Content-Type": "application/json" } });
    const expectRefused = async (response: Response, status: number, why: RegExp) => {
      expect(response.status).toBe(status);
      expect(await response.text()).toMatch(why);
    };
    await expectRefused(await rotate(fleetAdmin, await first.rotateTo(second.publicKey)), 409, /no update key to rotate/);
    expect((await rest(fleetAdmin, "PUT", "/releases/key", { body: JSON.stringify({ publicKey: first.publicKey }) })).status).toBe(200);
    const early = await enrolled(fleetAdmin, "enrolled-under-first");

    const toSecond = await first.rotateTo(second.publicKey);
    await expectRefused(await rotate(await scoped(fleetAdmin, ["read", "operate"]), toSecond), 403, /admin/);
    await expectRefused(await rotate(fleetAdmin, { ...toSecond, to: third.publicKey }), 400, /not signed by the key it replaces/);
    await expectRefused(await rotate(fleetAdmin, await third.rotateTo(second.publicKey)), 409, /the fleet's update key is/);
    await expectRefused(await rotate(fleetAdmin, await first.rotateTo(first.publicKey)), 400, /rotates to the key it replaces/);
    await expectRefused(await rotate(fleetAdmin, { from: first.publicKey }), 400, /Invalid key rotation/);
    expect(await (await rotate(fleetAdmin, toSecond)).json()).toEqual({ updateKey: second.publicKey, rotations: 1 });
    // Replayed, the old key's rotation no longer starts from the fleet's key.
    await expectRefused(await rotate(fleetAdmin, toSecond), 409, /the fleet's update key is/);
    const toThird = await second.rotateTo(third.publicKey);
    expect((await rotate(fleetAdmin, toThird)).status).toBe(201);

    // Releases are the newest key's now; a device enrolled now pins it, and one enrolled under the first reads the way there.
    const { bundle, facts } = await release("2.0.0", "console.log('bridge 2.0.0');\n");
    await expectRefused(await publish(fleetAdmin, await first.sign(facts), bundle), 400, /not signed by the fleet's update key/);
    expect((await publish(fleetAdmin, await third.sign(facts), bundle)).status).toBe(201);
    expect((await enrolled(fleetAdmin, "enrolled-under-third")).updateKey).toBe(third.publicKey);
    const rotations = (token: string, deviceId = early.deviceId) => rest(token, "GET", `/device-releases/${early.fleet}/${deviceId}/key-rotations`);
    expect(await (await rotations(early.token)).json()).toEqual({ rotations: [toSecond, toThird] });
    expect((await rotations(fleetAdmin)).status).toBe(401);
    expect((await rotations(early.token, "enrolled-under-third")).status).toBe(401);

    const audit = (await (await rest(fleetAdmin, "GET", "/api/audit?device=*")).json()) as { entries: Array<{ action: string; outcome: string; args: object }> };
    expect(audit.entries.filter((entry) => entry.action === "release.key.rotate").map((entry) => entry.outcome)).toEqual(["succeeded", "refused", "succeeded", "refused", "refused", "refused", "refused"]);
  });

  it("keeps the update key and every other setting when one stored setting no longer parses", async () => {
    const fleetAdmin = await createFleet("settings-one-bad");
    expect((await rest(fleetAdmin, "PUT", "/releases/key", { body: JSON.stringify({ publicKey: key.publicKey }) })).status).toBe(200);
    const confirm = await rest(fleetAdmin, "PATCH", "/api/settings", { body: JSON.stringify({ confirmations: "human-only" }), headers: { "Content-Type": "application/json" } });
    expect(confirm.status).toBe(200);
    const registry = env.REGISTRY.get(env.REGISTRY.idFromName("settings-one-bad"));
    const stored = (statement: string) => runInDurableObject(registry, (_object, state) => void state.storage.sql.exec(statement));
    const settings = async () => (await rest(fleetAdmin, "GET", "/api/settings")).json();

    // As a later version might leave them: a setting this one does not know, and a value it reads differently.
    await stored("INSERT INTO settings (name, value) VALUES ('retiredSetting', '1')");
    await stored("INSERT INTO settings (name, value) VALUES ('updateKeyRotations', '{\"format\":2}')");
    expect(await settings()).toEqual({ confirmations: "human-only", updateKey: key.publicKey });
    // The one setting that no longer parses stands at its default, alone.
    await stored("UPDATE settings SET value = '\"always\"' WHERE name = 'confirmations'");
    expect(await settings()).toEqual({ confirmations: "flag-allowed", updateKey: key.publicKey });
    expect((await enrolled(fleetAdmin, "enrolled-after-bad-setting")).updateKey).toBe(key.publicKey);
  });
});
