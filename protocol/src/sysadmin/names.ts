import { z } from "zod";

// Arguments of the system administration actions that end up as a program's argument on the
// device. Each is checked here, in the cloud and again on the device; none may start with "-",
// so none can be read as an option.

/** systemd unit types (systemd.unit(5)); a name without one of these suffixes is taken as a service. */
const UNIT_TYPES = ["service", "socket", "target", "timer", "mount", "automount", "swap", "path", "slice", "scope", "device"];

/** `nginx` -> `nginx.service`; `nginx.service` and `fstrim.timer` stay as they are. */
function withServiceSuffix(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 && UNIT_TYPES.includes(name.slice(dot + 1)) ? name : `${name}.service`;
}

/** systemd's longest unit name (UNIT_NAME_MAX less its NUL). */
const UNIT_NAME_MAX = 255;
const UNIT_TOO_LONG = `a systemd unit name of at most ${UNIT_NAME_MAX} characters, with the .service that is added when no unit type is given`;

/**
 * A unit name as systemd accepts it: ASCII letters, digits and `:-_.\@` (templates as `getty@tty1`),
 * 255 characters in all with its suffix. `.service` is added when the name has no unit type; the
 * length holds with it, so the name the cloud passes on to the device parses there again.
 */
export const UnitNameSchema = z
  .string()
  .max(UNIT_NAME_MAX, UNIT_TOO_LONG)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9:_.@\\-]*$/, "a systemd unit name: letters, digits and : - _ . \\ @, not starting with - or .")
  .transform(withServiceSuffix)
  .refine((unit) => unit.length <= UNIT_NAME_MAX, UNIT_TOO_LONG)
  .describe("systemd unit, e.g. nginx or nvargus-daemon.service (.service is added when no unit type is given)");

// Debian Policy 5.6.1 (package names) and 5.6.12 (versions: [epoch:]upstream[-revision], upstream starting with a digit).
const PACKAGE = "[a-z0-9][a-z0-9+.-]+";
const VERSION = "[0-9][A-Za-z0-9.+~:-]*";

export const PackageNameSchema = z
  .string()
  .max(128)
  .regex(new RegExp(`^${PACKAGE}$`), "a Debian package name: lower-case letters, digits, + . -, starting with a letter or digit")
  .describe("Debian package name, e.g. htop");

/** A package to install or upgrade, optionally pinned to a version (`htop=3.0.5-7build2`). */
export const PackageSpecSchema = z
  .string()
  .max(256)
  .regex(
    new RegExp(`^${PACKAGE}(?:=${VERSION})?$`),
    "a Debian package name (lower-case letters, digits, + . -, starting with a letter or digit), optionally =version",
  )
  .describe("Debian package name, optionally =version (e.g. htop or htop=3.0.5-7build2)");

/** A dpkg-query pattern: a package name with shell-style wildcards `*` and `?`. */
export const PackagePatternSchema = z
  .string()
  .max(128)
  .regex(/^[a-z0-9*?][a-z0-9+.*?-]*$/, "a package name, with * and ? as wildcards (lower-case letters, digits, + . -)")
  .describe("Package name to look for; without * or ? it matches names that contain it (opencv finds libopencv-dev)");

const hostname = z.hostname();
const ipv4 = z.ipv4();
const ipv6 = z.ipv6();

/** A host to reach: a hostname (RFC 1123) or an IPv4 or IPv6 address, nothing else (never an option such as `-f`). */
export const HostSchema = z
  .string()
  .max(253)
  .refine((value) => [hostname, ipv4, ipv6].some((schema) => schema.safeParse(value).success), {
    message: "a hostname (letters, digits, dashes and dots, RFC 1123) or an IPv4 or IPv6 address",
  })
  .describe("Hostname or IP address, e.g. 192.168.1.1, nvidia.com or fe80::1");

/** An absolute path without `..` segments or control characters. */
export const AbsolutePathSchema = z
  .string()
  .max(4096)
  .regex(/^\/[^\u0000-\u001f\u007f]*$/, "an absolute path (starting with /) without control characters")
  .refine((value) => !value.split("/").includes(".."), { message: "a path without .. segments" });

/** journalctl's priorities, most severe first (syslog levels 0-7). */
export const JOURNAL_PRIORITIES = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"] as const;
export const JournalPrioritySchema = z.enum(JOURNAL_PRIORITIES);

/** Forms of `journalctl --since` the bridge passes on: a date and time (device local time), a span back from now, today, yesterday. */
export const JournalSinceSchema = z
  .string()
  .regex(
    /^(?:\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?|-\d{1,6}(?:s|min|h|d|w)|today|yesterday)$/,
    "YYYY-MM-DD[ HH:MM[:SS]] (device local time), -N followed by s, min, h, d or w (e.g. -30min, -2h), today or yesterday",
  )
  .describe("Entries from this time on: YYYY-MM-DD[ HH:MM[:SS]] in the device's time zone, -30min, -2h, -1d, today or yesterday");
