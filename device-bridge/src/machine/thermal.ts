import type { HostPort } from "../host/port.js";
import { temperatureKey } from "../telemetry/temperature-key.js";
import { numberedEntries, readInt, readWord } from "./sysfs.js";

const THERMAL_DIR = "/sys/class/thermal";
// The kernel reports an offline sensor (idle DLA/PVA on Orin) as -256 °C.
const OFFLINE_MC = -256_000;
// PMIC-Die reports a fixed placeholder, never a reading.
const PLACEHOLDER = /^PMIC/i;

export type ZoneReading =
  | { name: string; status: "ok"; tempC: number; zone: string }
  | { name: string; status: "offline" | "placeholder" | "unreadable" };

/** Every thermal zone by its type, in zone order, with its reading or why it has none. */
export async function readThermalZones(host: HostPort): Promise<ZoneReading[]> {
  const zones = await numberedEntries(host, THERMAL_DIR, "thermal_zone");
  const readings = await Promise.all(
    zones.map(async (zone): Promise<ZoneReading | undefined> => {
      const name = await readWord(host, `${THERMAL_DIR}/${zone}/type`);
      if (name === undefined) return undefined;
      if (PLACEHOLDER.test(name)) return { name, status: "placeholder" };
      const milli = await readInt(host, `${THERMAL_DIR}/${zone}/temp`);
      if (milli === undefined) return { name, status: "unreadable" };
      if (milli <= OFFLINE_MC) return { name, status: "offline" };
      return { name, status: "ok", tempC: milli / 1000, zone };
    }),
  );
  return readings.filter((r): r is ZoneReading => r !== undefined);
}

/** Readable zones as tegrastats keys them, the first zone winning a shared key. */
export function temperaturesByKey(zones: readonly ZoneReading[]): Record<string, number> {
  const temps = new Map<string, number>();
  for (const zone of zones) {
    const key = temperatureKey(zone.name);
    if (zone.status === "ok" && !temps.has(key)) temps.set(key, zone.tempC);
  }
  return Object.fromEntries(temps);
}

/** A zone's trip points (trip_point_N_type and _temp) in order; a zone the kernel gives none has an empty list. */
export async function readTripPoints(host: HostPort, zone: string): Promise<{ type: string; tempC: number }[]> {
  const trips: { type: string; tempC: number }[] = [];
  for (let n = 0; ; n++) {
    const [type, milli] = await Promise.all([readWord(host, `${THERMAL_DIR}/${zone}/trip_point_${n}_type`), readInt(host, `${THERMAL_DIR}/${zone}/trip_point_${n}_temp`)]);
    if (type === undefined || milli === undefined) return trips;
    trips.push({ type, tempC: milli / 1000 });
  }
}
