import { Hono } from "hono";
import { fleetErrorResponse } from "../api/fleet-errors.js";
import { type CallerVariables, requireCaller } from "../auth.js";
import type { Env } from "../env.js";
import { CONTENT_TYPES, exposition, formatFor } from "./exposition.js";
import { fleetMetrics } from "./fleet-metrics.js";

/** Lines are sent in chunks of about this size, so a large fleet's text is never held whole. */
const CHUNK_CHARS = 64 * 1024;

function streamOf(lines: Iterator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      let chunk = "";
      for (let line = lines.next(); !line.done; line = lines.next()) {
        chunk += line.value;
        if (chunk.length >= CHUNK_CHARS) break;
      }
      if (chunk.length > 0) controller.enqueue(encoder.encode(chunk));
      else controller.close();
    },
  });
}

/**
 * Prometheus scrapes the caller's fleet here with an API token (`read`): one registry list per scrape, no device
 * object woken; the figures are those of the devices' summaries.
 */
export const metricsRoute = new Hono<{ Bindings: Env; Variables: CallerVariables }>()
  .get("/metrics", requireCaller, async (c) => {
    const devices = await c.var.fleet.list();
    const format = formatFor(c.req.header("Accept"));
    const lines = exposition(fleetMetrics(devices, Date.now()), format);
    return c.body(streamOf(lines), 200, { "Content-Type": CONTENT_TYPES[format], "Cache-Control": "no-store" });
  })
  .onError(fleetErrorResponse);
