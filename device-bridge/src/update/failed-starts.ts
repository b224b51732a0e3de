import { z } from "zod";

/** The bridge's starts that failed in a row (`failed-starts.json`), kept across restarts so that each start after them waits longer. */
export const FailedStartsSchema = z.object({
  count: z.number().int().positive(),
  /** The last failed process's exit code, for the log. */
  lastExitCode: z.number().int(),
});
export type FailedStarts = z.infer<typeof FailedStartsSchema>;
