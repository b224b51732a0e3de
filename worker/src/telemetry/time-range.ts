import type { TelemetryQuery, TelemetryRange } from "@jetson/protocol";
import { RAW_RETENTION_MS } from "./retention.js";

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const RELATIVE = /^-(\d+(?:\.\d+)?)([smhd])$/;
/** `auto` gives raw samples up to this span (7,200 samples at 1 Hz), 1-minute rollups beyond. */
export const AUTO_RAW_SPAN_MS = 2 * 3_600_000;
const DEFAULT_SPAN_MS = 3_600_000;

/** Epoch ms for `now`, `-1h`-style offsets, epoch ms digits or ISO 8601; undefined when unreadable. */
export function parseTimeRef(text: string, now: number): number | undefined {
  if (text === "now") return now;
  const relative = RELATIVE.exec(text);
  if (relative) return Math.round(now - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]);
  if (/^\d+$/.test(text)) return Number(text);
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** Turns a caller's query into absolute times and a concrete resolution, or says what is wrong with it. */
export function resolveRange(query: TelemetryQuery, now: number): TelemetryRange | { error: string } {
  const to = query.to === undefined ? now : parseTimeRef(query.to, now);
  if (to === undefined) return { error: `Cannot read "to": ${query.to}. Use ISO 8601, epoch ms, now, or -15m, -1h, -30d.` };
  const from = query.from === undefined ? to - DEFAULT_SPAN_MS : parseTimeRef(query.from, now);
  if (from === undefined) return { error: `Cannot read "from": ${query.from}. Use ISO 8601, epoch ms, now, or -15m, -1h, -30d.` };
  if (from > to) return { error: `"from" (${new Date(from).toISOString()}) is after "to" (${new Date(to).toISOString()}).` };
  const rawFits = to - from <= AUTO_RAW_SPAN_MS && from >= now - RAW_RETENTION_MS;
  const resolution = query.resolution === "auto" ? (rawFits ? "raw" : "1m") : query.resolution;
  return { from: Math.max(0, from), to, resolution, maxPoints: query.maxPoints, metrics: query.metrics };
}
