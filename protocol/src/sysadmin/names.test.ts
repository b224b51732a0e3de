import { describe, expect, it } from "vitest";
import { findAction, parseActionInput } from "../catalogue/index.js";
import {
  AbsolutePathSchema,
  HostSchema,
  JournalSinceSchema,
  PackageNameSchema,
  PackagePatternSchema,
  PackageSpecSchema,
  UnitNameSchema,
} from "./names.js";

const HOSTILE = ["; rm -rf /", "$(reboot)", "`reboot`", "../../etc/shadow", "/etc/shadow\u0000", "", "-f", "--help"];
const accepts = (schema: { safeParse(v: unknown): { success: boolean } }, value: string) => schema.safeParse(value).success;

describe("unit names", () => {
  it("adds .service when there is no unit type, and keeps a type that is there", () => {
    expect(UnitNameSchema.parse("nginx")).toBe("nginx.service");
    expect(UnitNameSchema.parse("nvargus-daemon.service")).toBe("nvargus-daemon.service");
    expect(UnitNameSchema.parse("fstrim.timer")).toBe("fstrim.timer");
    expect(UnitNameSchema.parse("getty@tty1")).toBe("getty@tty1.service");
    expect(UnitNameSchema.parse("my.app")).toBe("my.app.service");
    expect(UnitNameSchema.parse("systemd-fsck@dev-disk-by\\x2duuid-1234")).toBe("systemd-fsck@dev-disk-by\\x2duuid-1234.service");
  });

  it("accepts on the device, unchanged, every unit the cloud accepted and passed on with its suffix", () => {
    const status = findAction("services.status");
    if (!status) throw new Error("services.status is not catalogued");
    for (const unit of ["a".repeat(241), "a".repeat(247), `${"a".repeat(249)}.timer`, "nginx", "fstrim.timer"]) {
      const cloud = parseActionInput(status, { unit });
      expect(cloud.success, unit).toBe(true);
      const device = parseActionInput(status, cloud.data);
      expect(device.success ? device.data : device.error.issues[0]?.message, unit).toEqual(cloud.data);
    }
    for (const unit of ["a".repeat(248), `${"a".repeat(250)}.timer`]) {
      expect(parseActionInput(status, { unit }).error?.issues[0]?.message, unit).toMatch(/^a systemd unit name of at most 255 characters/);
    }
  });

  it("refuses options, paths, shell text and over-long names", () => {
    for (const value of [...HOSTILE, "-.mount", ".hidden", "nginx service", "a/b", "x".repeat(248)]) {
      expect(accepts(UnitNameSchema, value), value).toBe(false);
    }
  });
});

describe("package names (Debian Policy 5.6.1)", () => {
  it("accepts names, and versions where a version may be given", () => {
    for (const name of ["htop", "libopencv-dev", "g++", "python3.10", "nvidia-l4t-core", "libstdc++6"]) expect(accepts(PackageNameSchema, name), name).toBe(true);
    expect(accepts(PackageSpecSchema, "htop=3.0.5-7build2")).toBe(true);
    expect(accepts(PackageSpecSchema, "openssl=1:3.0.2-0ubuntu1.15")).toBe(true);
    expect(accepts(PackageNameSchema, "htop=3.0.5")).toBe(false);
  });

  it("refuses shell text, options, capitals and one-letter names", () => {
    for (const value of [...HOSTILE, "vim; reboot", "vim reboot", "Vim", "a", "-y", "htop=", "htop=abc", "htop=1 2", "htop/jammy"]) {
      expect(accepts(PackageSpecSchema, value), value).toBe(false);
    }
  });

  it("takes * and ? in patterns, nothing else", () => {
    expect(accepts(PackagePatternSchema, "nvidia-l4t-*")).toBe(true);
    expect(accepts(PackagePatternSchema, "opencv")).toBe(true);
    for (const value of [...HOSTILE, "[a-z]*", "vim;"]) expect(accepts(PackagePatternSchema, value), value).toBe(false);
  });
});

describe("hosts", () => {
  it("accepts hostnames and IPv4 and IPv6 addresses", () => {
    for (const host of ["192.168.1.1", "localhost", "nvidia.com", "ntp.ubuntu.com.", "fe80::1", "2001:db8::8a2e:370:7334", "camera-7"]) {
      expect(accepts(HostSchema, host), host).toBe(true);
    }
  });

  it("never accepts an option or anything with a space", () => {
    for (const host of [...HOSTILE, "-f 127.0.0.1", "-f", "127.0.0.1 -f", "-nvidia.com", "nvidia-.com", "a..b", `${"a".repeat(64)}.com`]) {
      expect(accepts(HostSchema, host), host).toBe(false);
    }
  });
});

describe("paths and journal times", () => {
  it("takes absolute paths without .. or control characters", () => {
    expect(accepts(AbsolutePathSchema, "/var/lib/docker")).toBe(true);
    expect(accepts(AbsolutePathSchema, "/home/nvidia/My Models")).toBe(true);
    for (const value of [...HOSTILE, "var", "/var/../etc", "/var/\nlog"]) expect(accepts(AbsolutePathSchema, value), JSON.stringify(value)).toBe(false);
  });

  it("takes the since forms journalctl reads, and no others", () => {
    for (const since of ["2026-09-14", "2026-09-14 10:00", "2026-09-14 10:00:30", "-30min", "-2h", "-1d", "today", "yesterday"]) {
      expect(accepts(JournalSinceSchema, since), since).toBe(true);
    }
    for (const since of [...HOSTILE, "1 hour ago", "--until=now", "-2h; reboot", "2026-09-14T10:00:00Z"]) expect(accepts(JournalSinceSchema, since), since).toBe(false);
  });
});
