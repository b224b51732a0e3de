// The simulated board's time zone and the way systemd tools print wall time in it.

const ZONES = {
  "nano-jp46": "Etc/UTC",
  "xavier-nx-jp51": "Asia/Tokyo",
  "agx-orin-jp6": "America/Los_Angeles",
  "orin-nano-super-jp6": "Europe/Berlin",
};

export function boardTimezone(board) {
  return ZONES[board.id] ?? "Etc/UTC";
}

function parts(epochMs, timeZone, extra = {}) {
  const formatted = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    weekday: "short",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    ...extra,
  }).formatToParts(new Date(epochMs));
  return Object.fromEntries(formatted.map((p) => [p.type, p.value]));
}

/** "Mon 2026-09-14 10:21:33 PDT", as systemd prints a timestamp. */
export function formatWallTime(epochMs, timeZone) {
  const p = parts(epochMs, timeZone, { timeZoneName: "short" });
  // Intl names zones without an abbreviation "GMT+9"; systemd prints the tz database's abbreviation (JST).
  const zone = timeZone === "Etc/UTC" ? "UTC" : (ABBREVIATIONS[p.timeZoneName] ?? p.timeZoneName);
  return `${p.weekday} ${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${zone}`;
}

const ABBREVIATIONS = { "GMT+9": "JST", "GMT+2": "CEST", "GMT+1": "CET" };

/** "+0200": the zone's offset from UTC at that instant. */
export function utcOffset(epochMs, timeZone) {
  const p = parts(epochMs, timeZone);
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  const minutes = Math.round((wall - Math.floor(epochMs / 1000) * 1000) / 60_000);
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}${String(abs % 60).padStart(2, "0")}`;
}

/** Wall time in a zone (as journalctl --since reads "2026-09-14 10:00") to epoch ms. */
export function wallTimeToEpoch(year, month, day, hour, minute, second, timeZone) {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const offsetAt = (epoch) => {
    const p = parts(epoch, timeZone);
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - Math.floor(epoch / 1000) * 1000;
  };
  const first = wall - offsetAt(wall);
  return wall - offsetAt(first);
}
