import { DEVICE_PAGE_LIMIT, type DeviceSummary } from "@jetson/protocol";
import { Hono } from "hono";
import { fleetErrorResponse } from "../api/fleet-errors.js";
import { type CallerVariables, requireCaller } from "../auth.js";
import type { Env } from "../env.js";
import type { Fleet } from "../fleet.js";
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

/** The whole fleet, a page at a time, so no single answer from the registry nears the RPC size limit. */
async function everyDevice(fleet: Fleet): Promise<DeviceSummary[]> {
  const devices: DeviceSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await fleet.list({ limit: DEVICE_PAGE_LIMIT.max, cursor });
    devices.push(...page.devices);
    cursor = page.nextCursor;
  } while (cursor);
  return devices;
}

/**
 * Prometheus scrapes the caller's fleet here with an API token (`read`): the registry's pages of summaries per scrape, no device
 * object woken; the figures are those of the devices' summaries.
 */
export const metricsRoute = new Hono<{ Bindings: Env; Variables: CallerVariables }>()
  .get("/metrics", requireCaller, async (c) => {
    const devices = await everyDevice(c.var.fleet);
    const format = formatFor(c.req.header("Accept"));
    const lines = exposition(fleetMetrics(devices, Date.now()), format);
    return c.body(streamOf(lines), 200, { "Content-Type": CONTENT_TYPES[format], "Cache-Control": "no-store" });
  })
  .onError(fleetErrorResponse);
