import { DesiredStateSchema, FleetRunRequestSchema, SelectorSchema, TagsSchema } from "@jetson/protocol";
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { CallerVariables } from "../auth.js";
import type { Env } from "../env.js";
import { FleetOps } from "../fleet-ops/fleet-ops.js";
import { fleetErrorResponse } from "./fleet-errors.js";
import { body } from "./routes.js";

type AppEnv = { Bindings: Env; Variables: CallerVariables };

const ops = (c: Context<AppEnv>) => new FleetOps(c.var.fleet);

/** REST for fleet operations: selectors and tags, fleet runs, desired state and drift, a command's outcome. */
export const fleetOpsApi = new Hono<AppEnv>()
  .get("/select", async (c) => c.json({ devices: await ops(c).select(c.req.query("selector") ?? "") }))
  .put("/devices/:device/tags", async (c) => {
    const { tags } = await body(c, z.strictObject({ tags: TagsSchema }));
    return c.json({ tags: await ops(c).setTags(c.req.param("device"), tags) });
  })
  .get("/devices/:device/commands/:command", async (c) => c.json(await ops(c).command(c.req.param("device"), c.req.param("command"))))
  // ---- fleet runs ----
  .post("/runs/plan", async (c) => c.json(await ops(c).planRun(await body(c, FleetRunRequestSchema))))
  .post("/runs", async (c) => c.json(await ops(c).startRun(await body(c, FleetRunRequestSchema)), 201))
  .get("/runs", async (c) => c.json({ runs: await ops(c).runs(z.coerce.number().int().min(1).max(200).catch(50).parse(c.req.query("limit"))) }))
  .get("/runs/:run", async (c) => c.json(await ops(c).run(c.req.param("run"))))
  // ---- desired state ----
  .get("/desired-state", async (c) => c.json({ rules: await ops(c).desiredRules() }))
  .put("/desired-state", async (c) => {
    const { selector, state } = await body(c, z.strictObject({ selector: SelectorSchema, state: DesiredStateSchema }));
    return c.json(await ops(c).setDesired(selector, state));
  })
  .get("/devices/:device/desired-state", async (c) => c.json(await ops(c).desiredStatus(c.req.param("device"))))
  .put("/devices/:device/desired-state", async (c) =>
    c.json(await ops(c).setDeviceDesired(c.req.param("device"), await body(c, DesiredStateSchema))),
  )
  .get("/drift", async (c) => c.json({ devices: await ops(c).drift() }))
  .onError(fleetErrorResponse);
