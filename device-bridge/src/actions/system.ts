import { readIdentity } from "../machine/identity.js";
import { parseCpuList, parseMeminfo, parseUptime } from "../machine/proc.js";
import type { HandlerTable } from "./types.js";

const MB = 1024 * 1024;

export const systemHandlers = {
  "system.info": async (_input, { host }) => {
    const [identity, kernel, uptime, present, meminfo, disk] = await Promise.all([
      readIdentity(host),
      host.readFile("/proc/sys/kernel/osrelease"),
      host.readFile("/proc/uptime"),
      host.readFile("/sys/devices/system/cpu/present"),
      host.readFile("/proc/meminfo"),
      host.statFs("/"),
    ]);
    const memory = meminfo ? parseMeminfo(meminfo) : undefined;
    const totalKB = memory?.get("MemTotal");
    const availableKB = memory?.get("MemAvailable");
    return {
      ...identity,
      kernel: kernel?.trim(),
      uptimeSeconds: uptime ? parseUptime(uptime) : undefined,
      cpuCount: present ? parseCpuList(present).length : undefined,
      memory:
        totalKB !== undefined && availableKB !== undefined
          ? { totalMB: Math.round(totalKB / 1024), availableMB: Math.round(availableKB / 1024) }
          : undefined,
      disk: disk
        ? { path: "/", totalMB: Math.round(disk.totalBytes / MB), freeMB: Math.round(disk.availableBytes / MB) }
        : undefined,
    };
  },
  "system.ping": async (_input, { bridgeVersion }) => ({ pong: true, at: Date.now(), bridgeVersion }),
} satisfies Partial<HandlerTable>;
