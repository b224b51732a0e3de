import type { CurrentPowerMode } from "@jetson/protocol";

/** How values read on the page; every function answers "–" for a value the device did not report. */

const DASH = "–";

export function percent(value: number | undefined): string {
  return value === undefined ? DASH : `${value.toFixed(value < 10 ? 1 : 0)} %`;
}

export function celsius(value: number | undefined): string {
  return value === undefined ? DASH : `${value.toFixed(1)} °C`;
}

export function watts(milliwatts: number | undefined): string {
  return milliwatts === undefined ? DASH : `${(milliwatts / 1000).toFixed(1)} W`;
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

export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function megahertz(value: number | undefined): string {
  return value === undefined ? DASH : `${Math.round(value)} MHz`;
}
