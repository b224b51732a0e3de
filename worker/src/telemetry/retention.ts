/** How long each kind of telemetry is kept, and how often the alarm trims it. */
export const RAW_RETENTION_MS = 24 * 3_600_000;
export const ROLLUP_RETENTION_MS = 30 * 86_400_000;
/** Cleared alerts stay visible this long. */
export const ALERT_HISTORY_MS = 7 * 86_400_000;
/** Trimming hourly keeps at most 25 h of raw samples, and wakes an idle object rarely. */
export const RETENTION_EVERY_MS = 3_600_000;
/** At 1 Hz a day is 86,400 samples; this leaves room for 2 Hz and caps a bridge sampling faster. */
export const MAX_RAW_ROWS = 2 * 86_400;
/** Samples stamped further ahead than this come from a wrong device clock and are refused. */
export const MAX_CLOCK_AHEAD_MS = 5 * 60_000;
