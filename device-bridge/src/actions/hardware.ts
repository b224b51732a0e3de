import type { HardwareInfo } from "@jetson/protocol";
import { readCudaVersion } from "../machine/cuda.js";
import { readIdentity, readSerialNumber } from "../machine/identity.js";
import { boardParts } from "../machine/module.js";
import { parseCpuList, parseMeminfo } from "../machine/proc.js";
import { readThermalZones, readTripPoints } from "../machine/thermal.js";
import { familyForSoc, parseDeviceTreeCompatible } from "../parsers/device-tree.js";
import { readDiscreteGpus } from "../telemetry/discrete-gpus.js";
import type { HandlerTable } from "./types.js";

const MB = 1024 * 1024;

export const hardwareHandlers = {
  "hardware.info": async (_input, { host }) => {
    const [identity, serialNumber, compatible, dtsFilename, kernel, present, meminfo, disk, cuda] = await Promise.all([
      readIdentity(host),
      readSerialNumber(host),
      host.readFile("/proc/device-tree/compatible"),
      host.readFile("/proc/device-tree/nvidia,dtsfilename"),
      host.readFile("/proc/sys/kernel/osrelease"),
      host.readFile("/sys/devices/system/cpu/present"),
      host.readFile("/proc/meminfo"),
      host.statFs("/"),
      readCudaVersion(host),
    ]);
    const kB = meminfo === undefined ? undefined : parseMeminfo(meminfo);
    const memTotal = kB?.get("MemTotal");
    const swapTotal = kB?.get("SwapTotal");
    const family = identity.soc === undefined ? undefined : familyForSoc(identity.soc);
    // Only a host without a Tegra SoC has discrete GPUs worth asking nvidia-smi about.
    const gpus = identity.soc === undefined ? await readDiscreteGpus(host) : undefined;
    const info: HardwareInfo = {
      ...identity,
      ...(serialNumber && { serialNumber }),
      ...(family && { family }),
      ...boardParts(compatible === undefined ? [] : parseDeviceTreeCompatible(compatible), dtsFilename),
      ...(cuda && { cuda }),
      ...(kernel && { kernel: kernel.trim() }),
      ...(present && { cpuCount: parseCpuList(present).length }),
      ...(memTotal !== undefined && {
        memory: { totalMB: Math.round(memTotal / 1024), ...(swapTotal !== undefined && { swapTotalMB: Math.round(swapTotal / 1024) }) },
      }),
      ...(disk && { storage: { path: "/", totalMB: Math.round(disk.totalBytes / MB), freeMB: Math.round(disk.availableBytes / MB) } }),
      ...(gpus && { gpus }),
    };
    return info;
  },

  "hardware.temperatures": async (_input, { host }) => {
    const zones = await readThermalZones(host);
    const sensors = await Promise.all(
      zones.flatMap((z) =>
        z.status === "ok"
          ? [readTripPoints(host, z.zone).then((trips) => ({ name: z.name, tempC: z.tempC, ...(trips.length > 0 && { trips }) }))]
          : [],
      ),
    );
    return {
      sensors,
      omitted: zones.flatMap((z) => (z.status === "ok" ? [] : [{ name: z.name, reason: z.status }])),
    };
  },
} satisfies Partial<HandlerTable>;
