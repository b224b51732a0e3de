import { describe, expect, it } from "vitest";
import { parseCpuList, parseMeminfo, parseUptime } from "./proc.js";

describe("/proc readers", () => {
  it("reads meminfo fields in kB", () => {
    const fields = parseMeminfo("MemTotal:       64335836 kB\nMemAvailable:   40123456 kB\nHugePages_Total:       0\n");
    expect(fields.get("MemTotal")).toBe(64335836);
    expect(fields.get("MemAvailable")).toBe(40123456);
    expect(fields.get("Nope")).toBeUndefined();
  });

  it("expands CPU lists", () => {
    expect(parseCpuList("0-3,6,8-9\n")).toEqual([0, 1, 2, 3, 6, 8, 9]);
    expect(parseCpuList("0\n")).toEqual([0]);
  });

  it("reads uptime", () => {
    expect(parseUptime("12345.67 54321.00\n")).toBe(12345.67);
    expect(parseUptime("")).toBeUndefined();
  });
});
