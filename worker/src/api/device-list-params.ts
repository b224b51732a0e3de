import { type DeviceListQuery, DeviceListQuerySchema } from "@jetson/protocol";
import { z } from "zod";
import { FleetError } from "../fleet.js";

const BOOLEANS: Record<string, boolean> = { true: true, false: false };

/** A device list query from URL parameters (`?status=online&limit=50&cursor=…`); unknown or malformed ones are refused. */
export function deviceListQuery(params: Record<string, string>): DeviceListQuery {
  const parsed = DeviceListQuerySchema.safeParse({
    ...params,
    ...(params.limit !== undefined && { limit: Number(params.limit) }),
    ...(params.alerts !== undefined && { alerts: BOOLEANS[params.alerts] ?? params.alerts }),
  });
  if (!parsed.success) throw new FleetError("invalid", `Invalid device list query: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
