import type { AptRun } from "@jetson/protocol";
import type { HostPort } from "../host/port.js";
import { type AptGetRun, aptGet } from "../machine/apt-get.js";
import { parseAptPolicyNames, parseAptSummary, parseAptUpgradable } from "../parsers/apt.js";
import { ABSENT_STATES, DPKG_QUERY_FORMAT, parseDpkgQuery } from "../parsers/dpkg-query.js";
import { programFailed, runChecked } from "./run-checked.js";
import { ActionError } from "../action-error.js";
import { type HandlerTable } from "./types.js";

export const packageHandlers = {
  "packages.list": async ({ match, limit }, { host }) => {
    // A bare name is looked for inside names: "opencv" finds libopencv-dev.
    const pattern = /[*?]/.test(match) ? match : `*${match}*`;
    const found = (await installed(host, [pattern])).sort((a, b) => a.name.localeCompare(b.name));
    return { packages: found.slice(0, limit), truncated: found.length > limit };
  },

  "packages.upgradable": async (_input, { host }) => {
    const result = await runChecked(host, "apt", ["list", "--upgradable"], { timeoutMs: 50_000 });
    return { packages: parseAptUpgradable(result.stdout) };
  },

  "packages.refresh": async ({ tailLines }, { host, progress, signal }) => {
    const run = await aptGet(host, { operation: "update" }, progress, signal);
    return { warnings: run.warnings, outputTail: tail(run.output, tailLines) };
  },

  "packages.install": async ({ names, tailLines }, { host, workloads, progress, signal }) => {
    const packages = await exactly(host, allowed(names, workloads.admin.packages));
    const run = await aptGet(host, { operation: "install", names }, progress, signal);
    return report(host, packages, run, tailLines);
  },

  "packages.remove": async ({ names, tailLines }, { host, workloads, progress, signal }) => {
    const packages = await exactly(host, allowed(names, workloads.admin.packages));
    const run = await aptGet(host, { operation: "remove", names }, progress, signal);
    return report(host, packages, run, tailLines);
  },

  "packages.upgrade": async ({ names, tailLines }, { host, workloads, progress, signal }) => {
    const packages = await exactly(host, allowed(names, workloads.admin.packages));
    const run = await aptGet(host, { operation: "upgrade", names }, progress, signal);
    return report(host, packages, run, tailLines);
  },
} satisfies Partial<HandlerTable>;

/** The package names (without `=version`), refused before apt-get runs when the device has a packages.allow list without them. */
function allowed(specs: readonly string[], allow: readonly string[] | undefined): string[] {
  const names = specs.map((spec) => spec.split("=")[0] ?? spec);
  const outside = allow ? names.filter((name) => !allow.includes(name)) : [];
  if (outside.length > 0) {
    throw new ActionError(
      "permission_denied",
      `Not in this device's packages.allow list: ${outside.join(", ")}. Allowed: ${allow?.join(", ") || "none"}. To allow them, add them to packages.allow in the bridge configuration.`,
    );
  }
  return names;
}

/**
 * A name apt-get may take for something else than the package of that name, when no package has
 * exactly that name: one with any of `.?+*|[^$` is a regular expression (isregex in apt-pkg/cacheset.cc),
 * and a last `+` or `-` asks to install or remove the rest ("htop+" in a remove installs htop).
 */
const APT_READS_OTHERWISE = /[.?+*|[^$]|-$/;

/**
 * The names, once each is a package's exact name. apt-get acts on every package a regular expression
 * matches ("openssh.client" removes openssh-client, -server and -sftp-server), which neither
 * packages.allow nor the audit would show; apt-cache policy names exactly the packages a name stands for.
 */
async function exactly(host: HostPort, names: string[]): Promise<string[]> {
  const special = names.filter((name) => APT_READS_OTHERWISE.test(name));
  if (special.length === 0) return names;
  const known = new Set(parseAptPolicyNames((await runChecked(host, "apt-cache", ["policy", "--", ...special], { timeoutMs: 30_000 })).stdout));
  const inexact = special.filter((name) => !known.has(name));
  if (inexact.length > 0) {
    throw new ActionError(
      "invalid_input",
      `No package is named exactly ${inexact.join(", ")}: apt-get would read ${inexact.length === 1 ? "it" : "them"} as a regular expression (a last + or - as install or remove) and act on other packages than the one named. Give exact package names (packages_list shows the installed ones).`,
    );
  }
  return names;
}

/** Installed packages matching dpkg-query patterns; dpkg-query exits 1 when a pattern matches nothing. */
async function installed(host: HostPort, patterns: readonly string[]) {
  const args = ["-W", `--showformat=${DPKG_QUERY_FORMAT}`, ...patterns];
  const result = await host.run("dpkg-query", args, { timeoutMs: 20_000 });
  if (result.exitCode !== 0 && !/no packages found matching/.test(result.stderr)) throw programFailed("dpkg-query", args, result);
  return parseDpkgQuery(result.stdout).filter((p) => !ABSENT_STATES.has(p.status));
}

async function report(host: HostPort, names: readonly string[], run: AptGetRun, tailLines: number): Promise<AptRun> {
  const present = new Map((await installed(host, names)).map((p) => [p.name, p.version]));
  return {
    summary: parseAptSummary(run.output.join("\n")),
    packages: names.map((name) => ({ name, installed: present.has(name), version: present.get(name) })),
    warnings: run.warnings,
    outputTail: tail(run.output, tailLines),
  };
}

function tail(lines: readonly string[], count: number): string[] {
  return count === 0 ? [] : lines.slice(-count);
}
