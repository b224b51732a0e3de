import { z } from "zod";

/**
 * A release on trial as the launcher last started it, kept across restarts (`trial.json`): a start
 * that finds it knows that an earlier process of this trial already ran, how it ended and since when
 * the trial's time counts.
 */
export const TrialAttemptSchema = z.object({
  version: z.string(),
  /** pending.json's requestedAt: which update this trial is of. */
  requestedAt: z.number().int().nonnegative(),
  /** When the trial's first process started: its deadline counts from there, across restarts. */
  firstStartedAt: z.number().int().nonnegative(),
  /** How the last process ended (0: a clean stop); absent while it runs, and after a death that records nothing (SIGKILL, OOM, power loss). */
  exitCode: z.number().int().optional(),
});
export type TrialAttempt = z.infer<typeof TrialAttemptSchema>;
