import {
  ApiTokenRequestSchema,
  AuditQuerySchema,
  DeviceIdSchema,
  EnrollmentRequestSchema,
  FleetSettingsChangeSchema,
  QueueOptionSchema,
} from "@jetson/protocol";
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { CallerVariables } from "../auth.js";
import type { Env } from "../env.js";
import { FleetError } from "../fleet.js";
import { FleetOps } from "../fleet-ops/fleet-ops.js";
import { deviceListQuery } from "./device-list-params.js";
import { fleetErrorResponse } from "./fleet-errors.js";

type AppEnv = { Bindings: Env; Variables: CallerVariables };

const InvokeBodySchema = z.object({
  args: z.record(z.string(), z.unknown()).default({}),
  timeoutMs: z.number().int().min(1_000).max(600_000).default(30_000),
  confirm: z.boolean().optional(),
  queue: QueueOptionSchema.optional(),
});

/** How each outcome code of a device call reads as an HTTP status. */
const INVOKE_STATUS = {
  unknown_device: 404,
  unknown_action: 404,
  invalid_input: 400,
  permission_denied: 403,
  device_offline: 409,
  too_busy: 429,
  timed_out: 504,
} as const;

export async function body<T extends z.ZodType>(c: Context<AppEnv>, schema: T): Promise<z.infer<T>> {
  const parsed = schema.safeParse(await c.req.json().catch(() => undefined));
  if (!parsed.success) throw new FleetError("invalid", `Invalid request body: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** REST for scripts: devices, commands, enrollment, tokens and the audit trail of the caller's fleet. */
export const api = new Hono<AppEnv>()
  .get("/devices", async (c) => c.json(await c.var.fleet.list(deviceListQuery(c.req.query()))))
  .post("/devices", async (c) => {
    const { id } = await body(c, z.object({ id: DeviceIdSchema }));
    return c.json(await c.var.fleet.provision(id), 201);
  })
  .get("/devices/:device", async (c) => c.json(await c.var.fleet.get(c.req.param("device"))))
  .delete("/devices/:device", async (c) => {
    await c.var.fleet.revoke(c.req.param("device"));
    return c.body(null, 204);
  })
  .get("/devices/:device/commands", async (c) => {
    const limit = z.coerce.number().int().min(1).max(500).catch(50).parse(c.req.query("limit"));
    return c.json({ commands: await c.var.fleet.commands(c.req.param("device"), limit) });
  })
  // Answers the command as GET /devices/:device/commands/:command does; 409 once it has ended.
  .delete("/devices/:device/commands/:command", async (c) =>
    c.json(await new FleetOps(c.var.fleet).cancelCommand(c.req.param("device"), c.req.param("command"))),
  )
  .post("/devices/:device/actions/:action", async (c) => {
    const call = await body(c, InvokeBodySchema);
    const { confirm, ...rest } = call;
    const outcome = await c.var.fleet.invoke(c.req.param("device"), { action: c.req.param("action"), ...rest, confirmedBy: confirm ? "flag" : undefined });
    if (outcome.ok) return c.json(outcome);
    // Waits for the offline device: GET /devices/:device/commands/:id reads its outcome later.
    if (outcome.queued) return c.json(outcome, 202);
    return c.json(outcome, INVOKE_STATUS[outcome.error.code as keyof typeof INVOKE_STATUS] ?? 502);
  })
  .post("/enrollments", async (c) => {
    const { device, ttlSeconds } = await body(c, EnrollmentRequestSchema);
    return c.json(await c.var.fleet.createEnrollment(device, ttlSeconds), 201);
  })
  .get("/enrollments", async (c) => c.json({ enrollments: await c.var.fleet.listEnrollments() }))
  .delete("/enrollments/:device", async (c) => {
    await c.var.fleet.cancelEnrollments(c.req.param("device"));
    return c.body(null, 204);
  })
  .get("/settings", async (c) => c.json(await c.var.fleet.settings()))
  .patch("/settings", async (c) => c.json(await c.var.fleet.updateSettings(await body(c, FleetSettingsChangeSchema))))
  .get("/tokens", async (c) => c.json({ tokens: await c.var.fleet.listTokens() }))
  .post("/tokens", async (c) => {
    const { name, scopes } = await body(c, ApiTokenRequestSchema);
    return c.json(await c.var.fleet.createToken(name, scopes), 201);
  })
  .delete("/tokens/:id", async (c) => {
    await c.var.fleet.revokeToken(c.req.param("id"));
    return c.body(null, 204);
  })
  .get("/audit", async (c) => {
    const query = AuditQuerySchema.safeParse(c.req.query());
    if (!query.success) throw new FleetError("invalid", `Invalid audit query: ${z.prettifyError(query.error)}`);
    return c.json(await c.var.fleet.audit(query.data));
  })
  .onError(fleetErrorResponse);
