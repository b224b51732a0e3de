import { z } from "zod";
import { PackageNameSchema, PackagePatternSchema, PackageSpecSchema } from "../sysadmin/names.js";
import { AptRunSchema, InstalledPackageSchema, UpgradablePackageSchema } from "../sysadmin/payloads.js";
import { defineAction, READ_ONLY } from "./define.js";

const tailLines = z.number().int().min(0).max(200).default(20).describe("How many of apt-get's last output lines to return");

const APT =
  "apt-get runs without prompts (-y, DEBIAN_FRONTEND=noninteractive, existing configuration files kept) and reports its progress. Cancelling the command stops apt-get (SIGTERM, then SIGKILL) wherever it is: stopped while dpkg unpacks or configures, it can leave packages half-configured, which sudo dpkg --configure -a on the device finishes.";
const ALLOWLIST = "Names follow Debian's rules; where the device has a packages.allow list, only those packages may be named.";

export const packagesList = defineAction({
  name: "packages.list",
  title: "Find installed packages",
  description: "Installed Debian packages whose name matches (dpkg-query): version, architecture, status, installed size and summary.",
  schemas: () => ({
    input: z.object({
      match: PackagePatternSchema,
      limit: z.number().int().min(1).max(500).default(100).describe("At most this many packages"),
    }),
    output: z.object({ packages: z.array(InstalledPackageSchema), truncated: z.boolean() }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 30_000,
});

export const packagesUpgradable = defineAction({
  name: "packages.upgradable",
  title: "List upgradable packages",
  description:
    "Installed packages with a newer version in the package lists (apt list --upgradable), as of the last packages.refresh. NVIDIA's L4T packages (nvidia-l4t-*) upgrade the board support package: reboot afterwards.",
  schemas: () => ({
    input: z.object({}),
    output: z.object({ packages: z.array(UpgradablePackageSchema) }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 60_000,
});

export const packagesRefresh = defineAction({
  name: "packages.refresh",
  title: "Refresh package lists",
  description: `Downloads the package lists from the configured repositories (apt-get update). ${APT}`,
  schemas: () => ({
    input: z.object({ tailLines }),
    output: AptRunSchema.omit({ packages: true, summary: true }),
  }),
  hints: { readOnly: false, destructive: false, idempotent: true },
  defaultTimeoutMs: 300_000,
});

export const packagesInstall = defineAction({
  name: "packages.install",
  title: "Install packages",
  description: `Installs packages and what they depend on (apt-get install --no-remove: an install that would remove any package is refused). ${ALLOWLIST} ${APT}`,
  schemas: () => ({
    input: z.object({ names: z.array(PackageSpecSchema).min(1).max(20), tailLines }),
    output: AptRunSchema,
  }),
  hints: { readOnly: false, destructive: false, idempotent: true },
  defaultTimeoutMs: 600_000,
});

export const packagesRemove = defineAction({
  name: "packages.remove",
  title: "Remove packages",
  description: `Removes packages (apt-get remove; their configuration files stay), and any package that depends on them. ${ALLOWLIST} ${APT}`,
  schemas: () => ({
    input: z.object({ names: z.array(PackageNameSchema).min(1).max(20), tailLines }),
    output: AptRunSchema,
  }),
  hints: { readOnly: false, destructive: true, idempotent: true },
  defaultTimeoutMs: 300_000,
});

export const packagesUpgrade = defineAction({
  name: "packages.upgrade",
  title: "Upgrade packages",
  description: `Upgrades the named installed packages to their candidate version (apt-get install --only-upgrade --no-remove); packages not installed are left alone. See packages.upgradable; run packages.refresh first for current lists. ${ALLOWLIST} ${APT}`,
  schemas: () => ({
    input: z.object({ names: z.array(PackageSpecSchema).min(1).max(50), tailLines }),
    output: AptRunSchema,
  }),
  hints: { readOnly: false, destructive: true, idempotent: true },
  defaultTimeoutMs: 600_000,
});

export const packageActions = [packagesList, packagesUpgradable, packagesRefresh, packagesInstall, packagesRemove, packagesUpgrade] as const;
