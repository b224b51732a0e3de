// The releases module alone, not the whole protocol: the launcher parses pending.json at a trial's
// start, and what it loads stays in the process beside the release's own copy (about 3 MB more).
import { BridgeVersionSchema } from "@jetson/protocol/releases";
import { z } from "zod";

/** An update waiting for its new bridge to prove itself: written before the switch, removed by the health check or the rollback. */
export const PendingUpdateSchema = z.object({
  version: BridgeVersionSchema,
  from: z.string(),
  healthTimeoutSeconds: z.number().int().positive(),
  requestedAt: z.number().int().nonnegative(),
});
export type PendingUpdate = z.infer<typeof PendingUpdateSchema>;
