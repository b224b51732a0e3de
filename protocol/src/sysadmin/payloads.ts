import { z } from "zod";
import { JOURNAL_PRIORITIES } from "./names.js";

// What the system administration actions return (catalogue/services.ts, packages.ts, storage.ts, ...).

const count = z.number().int().nonnegative();
const bytes = z.number().int().nonnegative();

// ---- services ----

export const ServiceUnitSchema = z.object({
  unit: z.string(),
  load: z.string().describe("loaded, not-found, masked, error"),
  active: z.string().describe("active, inactive, failed, activating, deactivating"),
  sub: z.string().describe("The unit type's own state: running, exited, dead, failed, ..."),
  description: z.string(),
});
export type ServiceUnit = z.infer<typeof ServiceUnitSchema>;

export const ServiceStatusSchema = z.object({
  unit: z.string(),
  exists: z.boolean().describe("False when systemd knows no such unit (LoadState not-found)"),
  description: z.string().optional(),
  loadState: z.string(),
  activeState: z.string(),
  subState: z.string(),
  unitFileState: z.string().optional().describe("enabled, disabled, static, masked, ..."),
  mainPid: z.number().int().positive().optional(),
  activeSince: z.string().optional().describe("When it last became active, as systemd prints it in the device's time zone"),
  restarts: count.optional().describe("Automatic restarts since it was started (NRestarts)"),
  result: z.string().optional().describe("How it last ended: success, exit-code, signal, timeout, ..."),
  memoryBytes: bytes.optional(),
  fragmentPath: z.string().optional(),
  changeAllowed: z.boolean().describe("Whether this device's services.allow list lets the services.* actions start, stop, enable or disable it"),
});
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;

// ---- packages ----

export const InstalledPackageSchema = z.object({
  name: z.string(),
  version: z.string(),
  architecture: z.string(),
  status: z.string().describe("installed, or a broken state: half-installed, unpacked, half-configured, triggers-awaited, triggers-pending"),
  installedSizeKiB: count.optional(),
  summary: z.string().optional(),
});
export type InstalledPackage = z.infer<typeof InstalledPackageSchema>;

export const UpgradablePackageSchema = z.object({
  name: z.string(),
  installedVersion: z.string(),
  candidateVersion: z.string(),
  architecture: z.string(),
  origins: z.array(z.string()).describe("Suites offering the candidate, e.g. jammy-updates"),
});
export type UpgradablePackage = z.infer<typeof UpgradablePackageSchema>;

/** Counts from apt-get's summary line ("1 upgraded, 2 newly installed, 0 to remove and 5 not upgraded."). */
export const AptSummarySchema = z.object({ upgraded: count, newlyInstalled: count, removed: count, notUpgraded: count });
export type AptSummary = z.infer<typeof AptSummarySchema>;

export const AptRunSchema = z.object({
  summary: AptSummarySchema.optional(),
  /** The named packages as dpkg reports them afterwards. */
  packages: z.array(z.object({ name: z.string(), installed: z.boolean(), version: z.string().optional() })),
  warnings: z.array(z.string()).describe("apt's W: and E: lines"),
  outputTail: z.array(z.string()).describe("The last lines apt-get printed (progress lines left out)"),
});
export type AptRun = z.infer<typeof AptRunSchema>;

// ---- storage ----

export const MountUsageSchema = z.object({
  filesystem: z.string(),
  type: z.string(),
  mountpoint: z.string(),
  sizeBytes: bytes,
  usedBytes: bytes,
  availableBytes: bytes.describe("Free space an unprivileged user can use (root keeps a reserve on ext4)"),
  usePercent: z.number().min(0).max(100).optional().describe("As df reports it: used / (used + available)"),
});
export type MountUsage = z.infer<typeof MountUsageSchema>;

export const FolderSizeSchema = z.object({ path: z.string(), bytes });
export type FolderSize = z.infer<typeof FolderSizeSchema>;

// ---- network ----

export const InterfaceAddressSchema = z.object({
  family: z.enum(["inet", "inet6"]),
  address: z.string(),
  prefixLength: z.number().int().min(0).max(128),
  scope: z.string().optional().describe("global, link, host"),
  dynamic: z.boolean().optional().describe("Leased (DHCP, SLAAC) rather than set by hand"),
});

export const NetworkInterfaceSchema = z.object({
  name: z.string(),
  state: z.string().describe("Operational state: UP, DOWN, UNKNOWN (lo and some virtual links), DORMANT, ..."),
  mac: z.string().optional(),
  mtu: z.number().int().positive().optional(),
  flags: z.array(z.string()).describe("UP means administratively up; LOWER_UP means a carrier (cable or association)"),
  master: z.string().optional().describe("The bridge or bond this link belongs to"),
  addresses: z.array(InterfaceAddressSchema),
});
export type NetworkInterface = z.infer<typeof NetworkInterfaceSchema>;

export const DefaultRouteSchema = z.object({
  family: z.enum(["inet", "inet6"]),
  gateway: z.string().optional(),
  device: z.string().optional(),
  protocol: z.string().optional().describe("Who set it: dhcp, static, kernel, ra"),
  metric: count.optional(),
  source: z.string().optional(),
});
export type DefaultRoute = z.infer<typeof DefaultRouteSchema>;

export const DnsConfigSchema = z.object({
  servers: z.array(z.string()),
  search: z.array(z.string()),
  /** The file the servers came from. */
  source: z.string(),
  stubResolver: z.string().optional().describe("Set when /etc/resolv.conf points at systemd-resolved's local stub; servers are then its upstream ones"),
});
export type DnsConfig = z.infer<typeof DnsConfigSchema>;

export const PingReportSchema = z.object({
  address: z.string().optional().describe("The address the host resolved to"),
  transmitted: count,
  received: count,
  errors: count.optional(),
  lossPercent: z.number().min(0).max(100),
  rttMs: z.object({ min: z.number(), avg: z.number(), max: z.number(), mdev: z.number() }).optional(),
  replies: z.array(z.object({ seq: count, ttl: count.optional(), timeMs: z.number() })),
});
export type PingReport = z.infer<typeof PingReportSchema>;

// ---- logs ----

export const JournalEntrySchema = z.object({
  time: z.string().describe("ISO 8601, UTC"),
  priority: z.number().int().min(0).max(7),
  priorityName: z.enum(JOURNAL_PRIORITIES),
  unit: z.string().optional(),
  identifier: z.string().optional(),
  pid: z.number().int().positive().optional(),
  message: z.string(),
});
export type JournalEntry = z.infer<typeof JournalEntrySchema>;

// ---- processes ----

export const ProcessInfoSchema = z.object({
  pid: z.number().int().positive(),
  ppid: count,
  user: z.string(),
  cpuPercent: z.number().nonnegative().describe("ps %CPU: CPU time over the process's lifetime, per core (can exceed 100)"),
  memPercent: z.number().nonnegative(),
  rssKiB: count,
  command: z.string().describe("Executable name (comm), without arguments"),
});
export type ProcessInfo = z.infer<typeof ProcessInfoSchema>;

// ---- time ----

export const TimeStatusSchema = z.object({
  time: z.string().optional().describe("The device's clock, ISO 8601 UTC"),
  localTime: z.string().describe("As timedatectl prints it, in the device's time zone"),
  timezone: z.string(),
  ntpEnabled: z.boolean().optional().describe("Whether time synchronisation (systemd-timesyncd or another NTP service) is switched on"),
  ntpSynchronized: z.boolean(),
  rtcInLocalTz: z.boolean().optional(),
});
export type TimeStatus = z.infer<typeof TimeStatusSchema>;
