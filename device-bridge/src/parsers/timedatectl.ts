import type { TimeStatus } from "@jetson/protocol";
import { parseShow } from "./systemctl.js";

const yes = (value: string | undefined) => (value === undefined ? undefined : value === "yes");

/** `timedatectl show` (systemd 239 and later): Key=Value lines. */
export function parseTimedatectlShow(text: string): TimeStatus {
  const p = parseShow(text);
  const localTime = p.get("TimeUSec") ?? "";
  const timezone = p.get("Timezone") || "UTC";
  return {
    time: zonedTimeToIso(localTime, timezone),
    localTime,
    timezone,
    ntpEnabled: yes(p.get("NTP")),
    ntpSynchronized: p.get("NTPSynchronized") === "yes",
    rtcInLocalTz: yes(p.get("LocalRTC")),
  };
}

/**
 * `timedatectl status`, the only form before systemd 239 (JetPack 4 has 237). Labels changed over
 * the years: "NTP synchronized" became "System clock synchronized"; "Network time on" became
 * "systemd-timesyncd.service active" (237) and then "NTP service".
 */
export function parseTimedatectlStatus(text: string): TimeStatus {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(": ");
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 2).trim());
  }
  const localTime = fields.get("Local time") ?? "";
  const ntp = fields.get("NTP service") ?? fields.get("systemd-timesyncd.service active") ?? fields.get("Network time on");
  const universal = /^\w{3} (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC$/.exec(fields.get("Universal time") ?? "");
  return {
    time: universal ? new Date(`${universal[1]}T${universal[2]}Z`).toISOString() : undefined,
    localTime,
    // "Etc/UTC (UTC, +0000)"
    timezone: (fields.get("Time zone") ?? "UTC").split(" ")[0] ?? "UTC",
    ntpEnabled: ntp === undefined || ntp === "n/a" ? undefined : ntp === "yes" || ntp === "active",
    ntpSynchronized: (fields.get("System clock synchronized") ?? fields.get("NTP synchronized")) === "yes",
    rtcInLocalTz: yes(fields.get("RTC in local TZ")),
  };
}

const WALL_TIME = /^\w{3} (\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?: \S+)?$/;

/**
 * "Mon 2026-09-14 10:21:33 PDT" in `timezone` as ISO UTC. The abbreviation is ambiguous (CST is
 * three zones), so the IANA zone decides; undefined when the runtime does not know it.
 */
export function zonedTimeToIso(text: string, timezone: string): string | undefined {
  const m = WALL_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  try {
    // Two rounds: the offset at the first guess may differ from the one at the answer around DST changes.
    let epoch = wall - utcOffsetMs(timezone, wall);
    epoch = wall - utcOffsetMs(timezone, epoch);
    return new Date(epoch).toISOString();
  } catch {
    return undefined;
  }
}

function utcOffsetMs(timezone: string, epoch: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: timezone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(new Date(epoch));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - epoch;
}
