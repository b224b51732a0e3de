import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { AuditEntry, OpenEnrollment } from "@jetson/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { hashSecret } from "../src/credentials.js";
import { ENROLLMENT_SCHEMA } from "../src/registry/enrollment-table.js";
import { REGISTRY_SCHEMAS, RegistryObject } from "../src/registry/registry-object.js";
import { migrate } from "../src/sqlite-migrations.js";
import { createFleet, DeviceClient } from "./device-client.js";
import { rest } from "./rest-call.js";

async function enroll(device: string): Promise<string> {
  const created = await rest<{ code: string }>(admin, "POST", "/api/enrollments", { device, ttlSeconds: 3600 });
  expect(created.status).toBe(201);
  return created.body.code;
}

/** As a device redeems a code: no fleet token, only the code. */
function redeem(code: string) {
  return rest<{ token: string; error: string }>("", "POST", "/enroll", { code });
}

const open = async (token = admin) => rest<{ enrollments: OpenEnrollment[] }>(token, "GET", "/api/enrollments");

let admin: string;
let adminName: string;

beforeAll(async () => {
  admin = await createFleet("codes");
  const tokens = await rest<{ tokens: Array<{ id: string }> }>(admin, "GET", "/api/tokens");
  adminName = `token:${tokens.body.tokens[0]?.id}`;
});

describe("enrollment codes", () => {
  it("are voided when their device is removed: a code made to enroll it again no longer brings it back", async () => {
    const enrolled = await redeem(await enroll("cam-1"));
    expect(enrolled.status).toBe(201);
    const client = await DeviceClient.open("/tunnel/codes/cam-1");
    expect(await client.connect("cam-1", enrolled.body.token)).toMatchObject({ reasonCode: 0 });
    const again = await enroll("cam-1");

    expect((await rest(admin, "DELETE", "/api/devices/cam-1")).status).toBe(204);
    const refused = await redeem(again);
    expect(refused.status).toBe(403);
    expect((await rest(admin, "GET", "/api/devices/cam-1")).status).toBe(404);
    expect((await open()).body.enrollments.filter((code) => code.device === "cam-1")).toEqual([]);
    const audit = await rest<{ entries: AuditEntry[] }>(admin, "GET", "/api/audit?device=cam-1&action=enrollment.cancel");
    expect(audit.body.entries).toMatchObject([{ caller: adminName, args: { codes: 1, reason: "the device was removed" }, outcome: "succeeded" }]);
  });

  it("are listed to an administrator without the code or its hash, and cancelled by device, both audited", async () => {
    const codes = { north: await enroll("gate-north"), south: await enroll("gate-south"), used: await enroll("gate-used") };
    expect((await redeem(codes.used)).status).toBe(201);
    const reader = await rest<{ token: string }>(admin, "POST", "/api/tokens", { name: "operator", scopes: ["read", "operate"] });
    expect((await open(reader.body.token)).status).toBe(403);
    expect((await rest(reader.body.token, "DELETE", "/api/enrollments/gate-north")).status).toBe(403);

    const listed = await open();
    expect(listed.status).toBe(200);
    const gates = listed.body.enrollments.filter((code) => code.device.startsWith("gate-"));
    expect(gates).toEqual([
      { device: "gate-north", expiresAt: expect.any(Number), createdBy: adminName },
      { device: "gate-south", expiresAt: expect.any(Number), createdBy: adminName },
    ]);
    const text = JSON.stringify(listed.body);
    for (const code of Object.values(codes)) {
      expect(text).not.toContain(code);
      expect(text).not.toContain(await hashSecret(code));
    }

    expect((await rest(admin, "DELETE", "/api/enrollments/gate-north")).status).toBe(204);
    expect((await redeem(codes.north)).status).toBe(403);
    expect((await open()).body.enrollments.map((code) => code.device)).not.toContain("gate-north");
    const none = await rest<{ error: string }>(admin, "DELETE", "/api/enrollments/gate-north");
    expect(none).toEqual({ status: 404, body: { error: "No unused enrollment code for this device." } });
    expect((await rest(admin, "DELETE", "/api/enrollments/gate-used")).status).toBe(404);
    expect((await redeem(codes.south)).status).toBe(201);

    const audit = await rest<{ entries: AuditEntry[] }>(admin, "GET", "/api/audit?action=enrollment.cancel&device=gate-north");
    expect(audit.body.entries).toMatchObject([{ caller: adminName, args: { codes: 1 }, outcome: "succeeded" }]);
  });

  it("made before their maker was recorded are listed without one, and still redeem", async () => {
    const registry = env.REGISTRY.get(env.REGISTRY.idFromName("codes-before"));
    const code = "jfe_codes-before_madebeforecreatorswererecorded";
    await runInDurableObject(registry, async (_object, state) => {
      // The fleet's tables as the release before: the enrollments schema at its first step.
      migrate(state.storage, REGISTRY_SCHEMAS.map((schema) => (schema === ENROLLMENT_SCHEMA ? { ...schema, migrations: schema.migrations.slice(0, 1) } : schema)));
      state.storage.sql.exec("INSERT INTO enrollments (hash, device, expires_at) VALUES (?, 'old-cam', ?)", await hashSecret(code), Date.now() + 3_600_000);
      const started = new RegistryObject(state, env);
      await state.blockConcurrencyWhile(async () => undefined);
      expect(await started.openEnrollments()).toEqual([{ device: "old-cam", expiresAt: expect.any(Number) }]);
      expect(await started.redeemEnrollment(await hashSecret(code))).toEqual({ ok: true, device: "old-cam" });
    });
  });
});
