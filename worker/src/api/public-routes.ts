import { EnrolledDeviceSchema, EnrollRequestSchema, FleetIdSchema } from "@jetson/protocol";
import { Hono } from "hono";
import { z } from "zod";
import { requireOperator } from "../auth.js";
import { fleetOfSecret, hashSecret } from "../credentials.js";
import type { Env } from "../env.js";
import { createFleet, provisionDevice, registryStub } from "../fleet.js";

const REFUSED = { unknown: "unknown", expired: "has expired", used: "was already used" } as const;

/** Routes without a fleet token: a device trading its enrollment code, and the operator creating fleets. */
export const publicRoutes = new Hono<{ Bindings: Env }>()
  .post("/enroll", async (c) => {
    const request = EnrollRequestSchema.safeParse(await c.req.json().catch(() => undefined));
    const fleet = request.success ? fleetOfSecret("enrollment", request.data.code) : undefined;
    if (!request.success || !fleet) return c.json({ error: "That is not an enrollment code." }, 400);
    const redemption = await registryStub(c.env, fleet).redeemEnrollment(await hashSecret(request.data.code));
    if (!redemption.ok) return c.json({ error: `This enrollment code ${REFUSED[redemption.reason]}.` }, 403);
    const device = await provisionDevice(c.env, fleet, redemption.device);
    // The device pins the fleet's update key from here on: it is the one thing that says which releases it may install.
    const { updateKey } = await registryStub(c.env, fleet).settings();
    return c.json(EnrolledDeviceSchema.parse({ fleet, deviceId: device.id, token: device.token, updateKey }), 201);
  })
  .post("/admin/fleets", requireOperator, async (c) => {
    const request = z.object({ id: FleetIdSchema }).safeParse(await c.req.json().catch(() => undefined));
    if (!request.success) return c.json({ error: `Invalid fleet: ${z.prettifyError(request.error)}` }, 400);
    const token = await createFleet(c.env, request.data.id);
    if (!token) return c.json({ error: `The fleet ${request.data.id} already exists; its administrators create its tokens.` }, 409);
    return c.json({ fleet: request.data.id, ...token }, 201);
  });
