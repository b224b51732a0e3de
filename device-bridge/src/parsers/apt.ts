import type { AptSummary, UpgradablePackage } from "@jetson/protocol";

// `apt list --upgradable`: name/suite[,suite] candidate arch [upgradable from: installed]
const UPGRADABLE = /^([a-z0-9][a-z0-9+.-]+)\/(\S+)\s+(\S+)\s+(\S+)\s+\[upgradable from: ([^\]]+)\]$/;

/** `apt list --upgradable` (its "Listing..." line and stderr warning are not packages). */
/** `apt-cache policy` heads each package's block with its name (and `:arch` for a foreign one) alone on a line. */
const POLICY_HEADER = /^([a-z0-9][a-z0-9+.-]+)(?::[a-z0-9-]+)?:$/;

/** The names of the packages `apt-cache policy` reported on. */
export function parseAptPolicyNames(text: string): string[] {
  return text.split("\n").flatMap((line) => POLICY_HEADER.exec(line)?.[1] ?? []);
}

export function parseAptUpgradable(text: string): UpgradablePackage[] {
  const packages: UpgradablePackage[] = [];
  for (const line of text.split("\n")) {
    const m = UPGRADABLE.exec(line.trim());
    if (!m) continue;
    packages.push({
      name: m[1] as string,
      origins: (m[2] as string).split(","),
      candidateVersion: m[3] as string,
      architecture: m[4] as string,
      installedVersion: (m[5] as string).trim(),
    });
  }
  return packages;
}

export interface AptStatus {
  kind: "dlstatus" | "pmstatus" | "pmerror" | "pmconffile";
  /** The package (pmstatus) or the number of files fetched so far (dlstatus). */
  subject: string;
  percent: number;
  message: string;
}

const STATUS_KINDS = new Set(["dlstatus", "pmstatus", "pmerror", "pmconffile"]);

/**
 * One line apt writes to APT::Status-Fd (apt's README.progress-reporting): `kind:subject:percent:message`.
 * The subject may hold ":" (libc6:arm64) and so may the message, so the percent is the first numeric field.
 */
export function parseAptStatus(line: string): AptStatus | undefined {
  const parts = line.replace(/\r$/, "").split(":");
  const kind = parts[0] ?? "";
  if (!STATUS_KINDS.has(kind)) return undefined;
  for (let i = 2; i < parts.length; i++) {
    if (/^\d+(?:\.\d+)?$/.test(parts[i] ?? "")) {
      return {
        kind: kind as AptStatus["kind"],
        subject: parts.slice(1, i).join(":"),
        percent: Math.min(100, Number(parts[i])),
        message: parts.slice(i + 1).join(":").trim(),
      };
    }
  }
  return undefined;
}

/** "1 upgraded, 2 newly installed, 0 to remove and 5 not upgraded." */
export function parseAptSummary(text: string): AptSummary | undefined {
  const m = /^(\d+) upgraded, (\d+) newly installed, (\d+) to remove and (\d+) not upgraded\.$/m.exec(text);
  if (!m) return undefined;
  return { upgraded: Number(m[1]), newlyInstalled: Number(m[2]), removed: Number(m[3]), notUpgraded: Number(m[4]) };
}

/** apt's warnings and errors: `W: ...`, `E: ...`, and `Err:N url` for a repository it could not fetch. */
export function aptProblems(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /^(?:W|E): |^Err:\d+ /.test(line));
}
