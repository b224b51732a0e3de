import type { CurrentPowerMode } from "@jetson/protocol";

/**
 * How values read on the page; every function answers "–" for a value the device did not report. The page's
 * data is JSON from elsewhere, so a reading may also arrive as null (JSON's Infinity or NaN): it reads the same.
 */

const DASH = "–";

type Reading = number | null | undefined;

/** A reading the page can show: a finite number. */
const shown = (value: Reading): value is number => typeof value === "number" && Number.isFinite(value);

export function percent(value: Reading): string {
  return shown(value) ? `${value.toFixed(value < 10 ? 1 : 0)} %` : DASH;
}

export function celsius(value: Reading): string {
  return shown(value) ? `${value.toFixed(1)} °C` : DASH;
}

export function watts(milliwatts: Reading): string {
  return shown(milliwatts) ? `${(milliwatts / 1000).toFixed(1)} W` : DASH;
}

/** As `nvpmodel -q` names it, with its id: ids and names differ per board. */
export function powerMode(mode: CurrentPowerMode | undefined): string {
  return mode === undefined ? DASH : `${mode.name} (${mode.id})`;
}

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function ago(epochMs: number | undefined, now: number): string {
  if (epochMs === undefined) return "never";
  const seconds = Math.max(0, Math.round((now - epochMs) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

export function dateTime(epochMs: number): string {
  return new Date(epochMs).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

export function duration(ms: Reading): string {
  if (!shown(ms)) return DASH;
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function megahertz(value: Reading): string {
  return shown(value) ? `${Math.round(value)} MHz` : DASH;
}
