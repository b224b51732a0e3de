import type { HostPort } from "../host/port.js";
import { NOT_CONNECTED } from "../telemetry/total-power.js";
import { numberedEntries, readInt, readWord } from "./sysfs.js";

/** One INA3221 channel, found by its label, with the files that give its power. */
export interface PowerRail {
  label: string;
  read(host: HostPort): Promise<number | undefined>;
}

const I2C_DEVICE = /^\d+-[0-9a-f]{4}$/;

/**
 * The board's INA3221 rails by label. JetPack 5+ (hwmon driver): inN_label with inN_input (mV) and
 * currN_input (mA), channels 1-3 (channel 7 is a sum, not a rail). JetPack 4 (iio driver ina3221x):
 * rail_name_N with in_powerN_input (mW), channels 0-2. Channels labelled NC are left out.
 */
export async function findPowerRails(host: HostPort): Promise<PowerRail[]> {
  const hwmon = await eachDevice(host, "/sys/bus/i2c/drivers/ina3221", async (dir) => {
    const rails: PowerRail[] = [];
    for (const hwmonDir of await numberedEntries(host, `${dir}/hwmon`, "hwmon")) {
      const base = `${dir}/hwmon/${hwmonDir}`;
      for (const ch of [1, 2, 3]) {
        rails.push(...(await labelled(host, `${base}/in${ch}_label`, (h) => milliwatts(h, `${base}/in${ch}_input`, `${base}/curr${ch}_input`))));
      }
    }
    return rails;
  });
  const iio = await eachDevice(host, "/sys/bus/i2c/drivers/ina3221x", async (dir) => {
    const rails: PowerRail[] = [];
    for (const iioDir of await numberedEntries(host, dir, "iio:device")) {
      const base = `${dir}/${iioDir}`;
      for (const ch of [0, 1, 2]) {
        rails.push(...(await labelled(host, `${base}/rail_name_${ch}`, (h) => readInt(h, `${base}/in_power${ch}_input`))));
      }
    }
    return rails;
  });
  return [...hwmon, ...iio];
}

/** mW of every rail that could be read, by label. */
export async function readPowerRails(host: HostPort, rails: readonly PowerRail[]): Promise<Map<string, number>> {
  const values = await Promise.all(rails.map(async (rail) => [rail.label, await rail.read(host)] as const));
  return new Map(values.filter((entry): entry is readonly [string, number] => entry[1] !== undefined));
}

async function eachDevice(host: HostPort, driverDir: string, find: (dir: string) => Promise<PowerRail[]>): Promise<PowerRail[]> {
  const devices = (await host.listDir(driverDir)).filter((name) => I2C_DEVICE.test(name)).sort();
  return (await Promise.all(devices.map((device) => find(`${driverDir}/${device}`)))).flat();
}

async function labelled(host: HostPort, labelFile: string, read: PowerRail["read"]): Promise<PowerRail[]> {
  const label = await readWord(host, labelFile);
  return label === undefined || NOT_CONNECTED.test(label) ? [] : [{ label, read }];
}

async function milliwatts(host: HostPort, voltageFile: string, currentFile: string): Promise<number | undefined> {
  const [mV, mA] = await Promise.all([readInt(host, voltageFile), readInt(host, currentFile)]);
  return mV === undefined || mA === undefined ? undefined : Math.floor((mV * mA) / 1000);
}
