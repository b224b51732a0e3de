import { type FanStatus, pwmPercent } from "@jetson/protocol";
import type { HostPort } from "../host/port.js";
import { type FanDevice, findFan, readFan, writeFanPwm, writeTempControl } from "../machine/fan.js";
import {
  NVFANCONTROL_CONF,
  NVFANCONTROL_STATUS,
  NVFANCONTROL_UNIT,
  REMOVE_NVFANCONTROL_STATUS,
  setProfileArgs,
} from "../machine/nvfancontrol-commands.js";
import { unitCommand } from "../machine/systemctl-commands.js";
import { parseNvfancontrolConf, parseNvfancontrolStatus } from "../parsers/nvfancontrol.js";
import { runChecked } from "./run-checked.js";
import { ActionError } from "../action-error.js";
import { type HandlerTable } from "./types.js";

const NVFANCONTROL_RUNNING =
  "nvfancontrol is running and sets the speed again from its profile; stop the nvfancontrol service to keep a fixed speed.";
/** JetPack 4's one profile: pwm-fan's temp_control, the kernel's own curve. */
const TEMP_CONTROL = "temp_control";
const SYSTEMCTL_TIMEOUT_MS = 20_000;

export const fanHandlers = {
  "fan.get": async (_input, { host }) => fanStatus(host, await requireFan(host)),

  "fan.set": async ({ pwmPct, profile }, { host }) => {
    const fan = await requireFan(host);
    if (profile !== undefined) return setProfile(host, fan, profile);
    if (pwmPct === undefined) throw new ActionError("invalid_input", "Give either pwmPct or profile.");
    await sysfsWrite(() => writeFanPwm(host, fan, Math.round((pwmPct / 100) * 255)));
    const status = await fanStatus(host, fan);
    return status.nvfancontrol?.running ? { ...status, warning: NVFANCONTROL_RUNNING } : status;
  },
} satisfies Partial<HandlerTable>;

async function requireFan(host: HostPort): Promise<FanDevice> {
  const fan = await findFan(host);
  if (!fan) throw new ActionError("not_supported", "No controllable fan found (no pwm-fan hwmon, no /sys/devices/pwm-fan).");
  return fan;
}

async function sysfsWrite(write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM") {
      throw new ActionError("permission_denied", "Setting the fan needs write access to the fan's sysfs files (root).");
    }
    throw error;
  }
}

/** nvfancontrol's profile (JetPack 5+), or pwm-fan's temp_control (JetPack 4). */
async function setProfile(host: HostPort, fan: FanDevice, profile: string): Promise<FanStatus> {
  const conf = await host.readFile(NVFANCONTROL_CONF);
  if (conf === undefined) {
    if (fan.kind !== "pwm-fan" || profile !== TEMP_CONTROL) {
      const offer = fan.kind === "pwm-fan" ? `its one profile is ${TEMP_CONTROL} (the kernel's temperature control)` : "it has no fan profiles";
      throw new ActionError("not_supported", `This board has no nvfancontrol (${NVFANCONTROL_CONF} is missing): ${offer}.`);
    }
    await sysfsWrite(() => writeTempControl(host, fan, true));
    return fanStatus(host, fan);
  }
  const { profiles } = parseNvfancontrolConf(conf);
  if (!profiles.includes(profile)) {
    throw new ActionError("invalid_input", `${NVFANCONTROL_CONF} has no profile ${profile}; it lists ${profiles.join(", ") || "none"}.`);
  }
  // As NVIDIA documents it: the status file would bring the old profile back, so it goes while the daemon is stopped.
  await runChecked(host, "systemctl", unitCommand("stop", NVFANCONTROL_UNIT), { timeoutMs: SYSTEMCTL_TIMEOUT_MS });
  try {
    await runChecked(host, "sed", setProfileArgs({ profile }), { timeoutMs: 10_000 });
    await runChecked(host, "rm", REMOVE_NVFANCONTROL_STATUS, { timeoutMs: 10_000 });
  } finally {
    // Whatever happened to the file, the fan is not left without its daemon.
    await runChecked(host, "systemctl", unitCommand("start", NVFANCONTROL_UNIT), { timeoutMs: SYSTEMCTL_TIMEOUT_MS });
  }
  const status = await fanStatus(host, fan);
  if (status.nvfancontrol?.profile !== profile) {
    throw new ActionError("handler_failed", `nvfancontrol was restarted but runs ${status.nvfancontrol?.profile ?? "no profile"}, not ${profile}.`);
  }
  return status;
}

async function fanStatus(host: HostPort, fan: FanDevice): Promise<FanStatus> {
  const [reading, conf, statusFile] = await Promise.all([readFan(host, fan), host.readFile(NVFANCONTROL_CONF), host.readFile(NVFANCONTROL_STATUS)]);
  if (!reading) throw new ActionError("unavailable", "The fan's PWM cannot be read.");
  const status: FanStatus = { ...reading, pwmPct: pwmPercent(reading.pwm) };
  if (conf === undefined) return status;
  const defaults = parseNvfancontrolConf(conf);
  const running = statusFile === undefined ? {} : parseNvfancontrolStatus(statusFile);
  const profile = running.profile ?? defaults.profile;
  const control = running.control ?? defaults.control;
  status.nvfancontrol = {
    running: await isNvfancontrolActive(host),
    ...(profile !== undefined && { profile }),
    ...(defaults.profile !== undefined && { defaultProfile: defaults.profile }),
    profiles: defaults.profiles,
    ...(control !== undefined && { control }),
  };
  return status;
}

/** systemd's word on the daemon; no answer (no systemd, a container) counts as not running. */
async function isNvfancontrolActive(host: HostPort): Promise<boolean> {
  const result = await host
    .run("systemctl", ["is-active", NVFANCONTROL_UNIT], { unprivileged: true, timeoutMs: 10_000 })
    .catch(() => undefined);
  return result?.stdout.trim() === "active";
}
