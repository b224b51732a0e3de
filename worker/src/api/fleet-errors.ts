import type { Context } from "hono";
import { FleetError } from "../fleet.js";

const STATUS = { forbidden: 403, not_found: 404, invalid: 400, conflict: 409 } as const;

/** A fleet refusal as an HTTP answer; anything else is a server error and propagates. */
export function fleetErrorResponse(error: Error, c: Context): Response {
  if (error instanceof FleetError) return c.json({ error: error.message }, STATUS[error.code]);
  throw error;
}
