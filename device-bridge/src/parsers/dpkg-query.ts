import type { InstalledPackage } from "@jetson/protocol";

/** The --showformat the bridge asks dpkg-query for: one tab-separated line per package. */
export const DPKG_QUERY_FORMAT = "${Package}\\t${Version}\\t${Architecture}\\t${db:Status-Abbrev}\\t${Installed-Size}\\t${binary:Summary}\\n";

// Second letter of db:Status-Abbrev (dpkg-query(1)): the package's current state.
const STATES: Record<string, string> = {
  n: "not-installed",
  c: "config-files",
  H: "half-installed",
  U: "unpacked",
  F: "half-configured",
  W: "triggers-awaited",
  t: "triggers-pending",
  i: "installed",
};

/** Packages dpkg lists but that are not on the system (removed, configuration files left, or purged). */
export const ABSENT_STATES = new Set(["not-installed", "config-files"]);

/** `dpkg-query -W -f=DPKG_QUERY_FORMAT PATTERN...`. */
export function parseDpkgQuery(text: string): InstalledPackage[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [name = "", version = "", architecture = "", abbrev = "", size = "", summary = ""] = line.split("\t");
      if (!name || abbrev.length < 2) throw new Error(`dpkg-query: cannot read line ${JSON.stringify(line)}`);
      const status = STATES[abbrev.charAt(1)] ?? `unknown (${abbrev.trim()})`;
      return {
        name,
        version,
        architecture,
        status,
        installedSizeKiB: /^\d+$/.test(size) ? Number(size) : undefined,
        summary: summary || undefined,
      };
    });
}
