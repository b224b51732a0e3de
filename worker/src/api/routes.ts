import { Hono } from "hono";
import { DeviceIdSchema } from "@jetson/protocol";
import { z } from "zod";
import type { CallerVariables } from "../auth.js";
import type { Env } from "../env.js";

const InvokeBodySchema = z.object({
  args: z.record(z.string(), z.unknown()).default({}),
  timeoutMs: z.number().int().min(1_000).max(600_000).default(30_000),
});

/** REST for scripts: the fleet's devices, provisioning, and running an action. */
export const api = new Hono<{ Bindings: Env; Variables: CallerVariables }>()
  .get("/devices", async (c) => c.json({ devices: await c.var.fleet.list() }))
  .post("/devices", async (c) => {
    const body = z.object({ id: DeviceIdSchema }).safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return c.json({ error: `Invalid device: ${body.error.message}` }, 400);
    return c.json(await c.var.fleet.provision(body.data.id), 201);
  })
  .get("/devices/:device", async (c) => {
    const summary = await c.var.fleet.get(c.req.param("device"));
    return summary ? c.json(summary) : c.json({ error: "No such device in this fleet." }, 404);
  })
  .get("/devices/:device/commands", async (c) => {
    const limit = z.coerce.number().int().min(1).max(500).catch(50).parse(c.req.query("limit"));
    const commands = await c.var.fleet.commands(c.req.param("device"), limit);
    return commands ? c.json({ commands }) : c.json({ error: "No such device in this fleet." }, 404);
  })
  .post("/devices/:device/actions/:action", async (c) => {
    const body = InvokeBodySchema.safeParse(await c.req.json().catch(() => ({})));
    if (!body.success) return c.json({ error: `Invalid request: ${body.error.message}` }, 400);
    const outcome = await c.var.fleet.invoke(c.req.param("device"), {
      action: c.req.param("action"),
      args: body.data.args,
      timeoutMs: body.data.timeoutMs,
      requestedBy: c.var.caller,
    });
    if (outcome.ok) return c.json(outcome);
    const status = { unknown_device: 404, unknown_action: 404, invalid_input: 400, device_offline: 409, timed_out: 504 } as const;
    return c.json(outcome, status[outcome.error.code as keyof typeof status] ?? 502);
  });
