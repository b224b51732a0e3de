import { DeviceIdSchema, FleetIdSchema, KeyRotationSchema, MAX_RELEASE_BYTES, ReleaseManifestSchema, readCapped, UpdatePublicKeySchema } from "@jetson/protocol";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import { fleetErrorResponse } from "../api/fleet-errors.js";
import { bearer, type CallerVariables, requireCaller } from "../auth.js";
import type { Env } from "../env.js";
import { deviceStub, FleetError, registryStub } from "../fleet.js";
import { ReleaseStore, rotationSigned, signedBy } from "./release-store.js";

type AppEnv = { Bindings: Env; Variables: CallerVariables };

/** The signed manifest travels beside the bundle's bytes, base64url JSON in this header. */
const MANIFEST_HEADER = "Release-Manifest";

function sha256Hex(bytes: Uint8Array): Promise<string> {
  return crypto.subtle.digest("SHA-256", bytes).then((digest) => [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join(""));
}

function manifestFrom(header: string | undefined): unknown {
  try {
    const binary = atob((header ?? "").replaceAll("-", "+").replaceAll("_", "/"));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0))));
  } catch {
    return undefined;
  }
}

const DEVICE_CREDENTIAL_REFUSED = "Missing or invalid device credential";

/** The fleet in the path of a device's request, when the request carries that device's own credential. */
async function deviceFleet(c: Context<AppEnv>): Promise<string | undefined> {
  const fleet = FleetIdSchema.safeParse(c.req.param("fleet"));
  const device = DeviceIdSchema.safeParse(c.req.param("device"));
  const token = bearer(c.req.header("Authorization"));
  if (!fleet.success || !device.success || token === undefined) return undefined;
  return (await deviceStub(c.env, fleet.data, device.data).credentialsValid(device.data, new TextEncoder().encode(token))) ? fleet.data : undefined;
}

/**
 * Bridge releases. The fleet's administrator pins the update key and publishes signed releases
 * (the admin scope: publishing chooses the code every device may be told to run, a fleet-wide
 * decision like its tokens and settings, whereas running bridge.update is `operate`). A device
 * reads a release with its own credential. The Worker checks signature, size and sha256 on
 * upload to refuse mistakes early, but devices never rely on that: they check everything again.
 */
export const releaseRoutes = new Hono<AppEnv>()
  .put("/releases/key", requireCaller, bodyLimit({ maxSize: 4_096 }), async (c) => {
    const fleet = c.var.fleet;
    fleet.require("admin");
    const parsed = z.object({ publicKey: UpdatePublicKeySchema }).safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) throw new FleetError("invalid", `Invalid update key: ${z.prettifyError(parsed.error)}`);
    const pinned = await registryStub(c.env, fleet.id).pinUpdateKey(parsed.data.publicKey);
    if (pinned !== parsed.data.publicKey) {
      await fleet.auditAdministration("*", "release.key", { publicKey: parsed.data.publicKey }, "the fleet has another update key");
      return c.json({ error: `This fleet's update key is already ${pinned}; devices pinned it at enrollment, so only a rotation it signs can replace it (jetson-fleet release rotate).` }, 409);
    }
    await fleet.auditAdministration("*", "release.key", { publicKey: pinned });
    return c.json({ updateKey: pinned });
  })
  .post("/releases/key/rotations", requireCaller, bodyLimit({ maxSize: 4_096 }), async (c) => {
    const fleet = c.var.fleet;
    fleet.require("admin");
    const parsed = KeyRotationSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) throw new FleetError("invalid", `Invalid key rotation: ${z.prettifyError(parsed.error)}`);
    const rotation = parsed.data;
    const about = { from: rotation.from, to: rotation.to };
    const refuse = async (status: 400 | 409, why: string) => {
      await fleet.auditAdministration("*", "release.key.rotate", about, why);
      return c.json({ error: `Key rotation refused: ${why}.` }, status);
    };
    if (rotation.to === rotation.from) return refuse(400, "it rotates to the key it replaces");
    if (!(await rotationSigned(rotation))) return refuse(400, "it is not signed by the key it replaces");
    const outcome = await registryStub(c.env, fleet.id).rotateUpdateKey(rotation);
    if (!outcome.ok) return refuse(409, outcome.why);
    await fleet.auditAdministration("*", "release.key.rotate", about);
    return c.json({ updateKey: rotation.to, rotations: outcome.rotations }, 201);
  })
  .get("/releases", requireCaller, async (c) => {
    c.var.fleet.require("read");
    return c.json({ releases: await new ReleaseStore(c.env.RELEASES, c.var.fleet.id).list() });
  })
  .put("/releases/:version", requireCaller, async (c) => {
    const fleet = c.var.fleet;
    fleet.require("admin");
    const parsed = ReleaseManifestSchema.safeParse(manifestFrom(c.req.header(MANIFEST_HEADER)));
    if (!parsed.success) throw new FleetError("invalid", `The ${MANIFEST_HEADER} header is not a signed release manifest: ${z.prettifyError(parsed.error)}`);
    const manifest = parsed.data;
    const refuse = async (status: 400 | 409, why: string) => {
      await fleet.auditAdministration("*", "release.publish", { version: manifest.version, sha256: manifest.sha256 }, why);
      return c.json({ error: `Release ${manifest.version} refused: ${why}.` }, status);
    };
    if (manifest.version !== c.req.param("version")) return refuse(400, `its manifest is for version ${manifest.version}, not ${c.req.param("version")}`);
    const { updateKey } = await registryStub(c.env, fleet.id).settings();
    if (!updateKey) return refuse(409, "the fleet has no update key yet (jetson-fleet release keygen pins one)");
    if (!(await signedBy(manifest, updateKey))) return refuse(400, "its manifest is not signed by the fleet's update key");
    const store = new ReleaseStore(c.env.RELEASES, fleet.id);
    const taken = "that version is published already, and a published release never changes (publish a new version)";
    // Refused before the bundle is read; an upload of the same version that gets past this meanwhile loses in publish().
    if (await store.manifest(manifest.version)) return refuse(409, taken);
    const bundle = c.req.raw.body && (await readCapped(c.req.raw.body.getReader(), manifest.size));
    if (!bundle || bundle.byteLength !== manifest.size) return refuse(400, `the bundle is not the ${manifest.size} bytes its manifest states`);
    if ((await sha256Hex(bundle)) !== manifest.sha256) return refuse(400, "the bundle's sha256 is not its manifest's");
    if (!(await store.publish(manifest, bundle))) return refuse(409, taken);
    await fleet.auditAdministration("*", "release.publish", { version: manifest.version, sha256: manifest.sha256, arch: manifest.arch, size: manifest.size });
    return c.json(manifest, 201);
  })
  .get("/device-releases/:fleet/:device/key-rotations", async (c) => {
    const fleet = await deviceFleet(c);
    if (fleet === undefined) return c.json({ error: DEVICE_CREDENTIAL_REFUSED }, 401);
    const { updateKeyRotations = [] } = await registryStub(c.env, fleet).settings();
    return c.json({ rotations: updateKeyRotations });
  })
  .get("/device-releases/:fleet/:device/:version/:part{manifest|bundle}", async (c) => {
    const fleet = await deviceFleet(c);
    if (fleet === undefined) return c.json({ error: DEVICE_CREDENTIAL_REFUSED }, 401);
    const store = new ReleaseStore(c.env.RELEASES, fleet);
    const version = c.req.param("version");
    if (c.req.param("part") === "manifest") {
      const manifest = await store.manifest(version);
      return manifest ? c.json(manifest) : c.json({ error: `No release ${version}` }, 404);
    }
    // Served only once its manifest is there: an upload cut between the two objects is not a release.
    const bundle = (await store.manifest(version)) && (await store.bundle(version));
    if (!bundle) return c.json({ error: `No release ${version}` }, 404);
    return new Response(bundle.body, { headers: { "Content-Type": "text/javascript", "Content-Length": String(bundle.size) } });
  })
  .onError(fleetErrorResponse);
