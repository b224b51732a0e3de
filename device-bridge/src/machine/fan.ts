import type { HostPort } from "../host/port.js";
import { readInt, readWord } from "./sysfs.js";

const HWMON = "/sys/class/hwmon";
const PWM_FAN_NAMES = new Set(["pwmfan", "pwm-fan", "pwm_fan"]);
const TACHOMETER_NAME = /tach/i;
const RPM_FILES = ["rpm", "fan1_input"];
// JetPack 4's pwm-fan driver: the fan ramps from cur_pwm towards target_pwm.
const LEGACY_PWM_FAN = "/sys/devices/pwm-fan";

/** Where a fan is driven and read: a hwmon pwm1 (JetPack 5+) or the JetPack 4 pwm-fan device. */
export type FanDevice = { kind: "hwmon"; dir: string; rpmFile?: string } | { kind: "pwm-fan"; dir: string };

export interface FanReading {
  pwm: number;
  targetPwm?: number;
  rpm?: number;
  /** pwm-fan: the kernel sets target_pwm from the temperature. */
  tempControl?: boolean;
}

/** The fan, found by its hwmon name (hwmon numbers change between boots), or the JetPack 4 device. */
export async function findFan(host: HostPort): Promise<FanDevice | undefined> {
  const hwmons = await Promise.all(
    (await host.listDir(HWMON)).map(async (entry) => ({ dir: `${HWMON}/${entry}`, name: await readWord(host, `${HWMON}/${entry}/name`) })),
  );
  const fan = hwmons.find((h) => h.name !== undefined && PWM_FAN_NAMES.has(h.name));
  if (fan && (await readInt(host, `${fan.dir}/pwm1`)) !== undefined) {
    // The tachometer is in the fan's own hwmon on some boards, a separate pwm_tach hwmon on others.
    const candidates = [fan, ...hwmons.filter((h) => h.name !== undefined && TACHOMETER_NAME.test(h.name))];
    const rpmFile = await firstReadable(host, candidates.flatMap((h) => RPM_FILES.map((file) => `${h.dir}/${file}`)));
    return rpmFile === undefined ? { kind: "hwmon", dir: fan.dir } : { kind: "hwmon", dir: fan.dir, rpmFile };
  }
  if ((await readInt(host, `${LEGACY_PWM_FAN}/target_pwm`)) !== undefined) return { kind: "pwm-fan", dir: LEGACY_PWM_FAN };
  return undefined;
}

export async function readFan(host: HostPort, fan: FanDevice): Promise<FanReading | undefined> {
  if (fan.kind === "hwmon") {
    const [pwm, rpm] = await Promise.all([readInt(host, `${fan.dir}/pwm1`), fan.rpmFile ? readInt(host, fan.rpmFile) : undefined]);
    if (pwm === undefined) return undefined;
    return rpm === undefined ? { pwm } : { pwm, rpm };
  }
  const [target, current, rpm, tempControl] = await Promise.all(
    ["target_pwm", "cur_pwm", "rpm_measured", "temp_control"].map((file) => readInt(host, `${fan.dir}/${file}`)),
  );
  if (target === undefined) return undefined;
  return {
    pwm: current ?? target,
    targetPwm: target,
    ...(rpm !== undefined && { rpm }),
    ...(tempControl !== undefined && { tempControl: tempControl === 1 }),
  };
}

/** Sets the PWM; on pwm-fan the kernel's temperature control is turned off first, or it would set target_pwm again. */
export async function writeFanPwm(host: HostPort, fan: FanDevice, pwm: number): Promise<void> {
  if (fan.kind === "hwmon") return host.writeFile(`${fan.dir}/pwm1`, `${pwm}\n`);
  if ((await readInt(host, `${fan.dir}/temp_control`)) === 1) await writeTempControl(host, fan, false);
  await host.writeFile(`${fan.dir}/target_pwm`, `${pwm}\n`);
}

/** pwm-fan's temp_control: whether the kernel sets the speed from the temperature. */
export async function writeTempControl(host: HostPort, fan: FanDevice & { kind: "pwm-fan" }, on: boolean): Promise<void> {
  await host.writeFile(`${fan.dir}/temp_control`, on ? "1\n" : "0\n");
}

async function firstReadable(host: HostPort, files: readonly string[]): Promise<string | undefined> {
  for (const file of files) if ((await readInt(host, file)) !== undefined) return file;
  return undefined;
}
