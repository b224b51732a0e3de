import type { FanStatus } from "@jetson/protocol";
import type { HostPort } from "../host/port.js";
import { type FanDevice, findFan, pwmPercent, readFan, writeFanPwm } from "../machine/fan.js";
import { isProcessRunning } from "../machine/processes.js";
import { parseNvfancontrolConf } from "../parsers/nvfancontrol.js";
import { ActionError, type HandlerTable } from "./types.js";

const NVFANCONTROL_RUNNING =
  "nvfancontrol is running and sets the speed again from its profile; stop the nvfancontrol service to keep a fixed speed.";

export const fanHandlers = {
  "fan.get": async (_input, { host }) => fanStatus(host, await requireFan(host)),

  "fan.set": async ({ pwmPct }, { host }) => {
    const fan = await requireFan(host);
    try {
      await writeFanPwm(host, fan, Math.round((pwmPct / 100) * 255));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EACCES" || code === "EPERM") {
        throw new ActionError("permission_denied", "Setting the fan speed needs write access to the fan's sysfs file (root).");
      }
      throw error;
    }
    const status = await fanStatus(host, fan);
    return status.nvfancontrol?.running
      ? { ...status, warning: NVFANCONTROL_RUNNING }
      : status;
  },
} satisfies Partial<HandlerTable>;

async function requireFan(host: HostPort): Promise<FanDevice> {
  const fan = await findFan(host);
  if (!fan) throw new ActionError("not_supported", "No controllable fan found (no pwm-fan hwmon, no /sys/devices/pwm-fan).");
  return fan;
}

async function fanStatus(host: HostPort, fan: FanDevice): Promise<FanStatus> {
  const [reading, conf] = await Promise.all([readFan(host, fan), host.readFile("/etc/nvfancontrol.conf")]);
  if (!reading) throw new ActionError("unavailable", "The fan's PWM cannot be read.");
  const status: FanStatus = { ...reading, pwmPct: pwmPercent(reading.pwm) };
  if (conf !== undefined) status.nvfancontrol = { running: await isProcessRunning(host, "nvfancontrol"), ...parseNvfancontrolConf(conf) };
  return status;
}
