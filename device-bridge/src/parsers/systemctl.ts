import type { ServiceStatus, ServiceUnit } from "@jetson/protocol";

// Failed and not-found units get a marker before the name: "●" in a UTF-8 locale, "*" under LANG=C.
const UNIT_LINE = /^(?:[\u25CF*]\s+)?(\S+)\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+(.*))?$/;

/** `systemctl list-units --type=service --all --no-pager --plain --no-legend`: UNIT LOAD ACTIVE SUB DESCRIPTION. */
export function parseListUnits(text: string): ServiceUnit[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const m = UNIT_LINE.exec(line);
      if (!m) throw new Error(`systemctl list-units: cannot read line ${JSON.stringify(line)}`);
      return { unit: m[1] as string, load: m[2] as string, active: m[3] as string, sub: m[4] as string, description: m[5]?.trim() ?? "" };
    });
}

/** The properties services.status asks `systemctl show` for. */
export const SHOW_PROPERTIES = [
  "Id",
  "Description",
  "LoadState",
  "ActiveState",
  "SubState",
  "UnitFileState",
  "MainPID",
  "ActiveEnterTimestamp",
  "NRestarts",
  "Result",
  "MemoryCurrent",
  "FragmentPath",
] as const;

/** `systemctl show -p ...`: one `Key=Value` per line (values may hold "="). */
export function parseShow(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) properties.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return properties;
}

// systemd prints these for "no value": an unset timestamp, an untracked counter (UINT64_MAX), no PID.
const UNSET = new Set(["", "n/a", "[not set]", "18446744073709551615"]);

/** A unit's status from `systemctl show` properties; empty and "unset" markers become absent fields. */
export function serviceStatusFromShow(unit: string, properties: Map<string, string>): Omit<ServiceStatus, "changeAllowed"> {
  const text = (key: string) => {
    const value = properties.get(key);
    return value === undefined || UNSET.has(value) ? undefined : value;
  };
  const number = (key: string) => {
    const value = text(key);
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
  };
  const loadState = text("LoadState") ?? "unknown";
  const mainPid = number("MainPID");
  return {
    unit: text("Id") ?? unit,
    exists: loadState !== "not-found",
    description: text("Description"),
    loadState,
    activeState: text("ActiveState") ?? "unknown",
    subState: text("SubState") ?? "unknown",
    unitFileState: text("UnitFileState"),
    mainPid: mainPid ? mainPid : undefined,
    activeSince: text("ActiveEnterTimestamp"),
    restarts: number("NRestarts"),
    result: text("Result"),
    memoryBytes: number("MemoryCurrent"),
    fragmentPath: text("FragmentPath"),
  };
}
