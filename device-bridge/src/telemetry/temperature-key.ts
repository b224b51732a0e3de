/**
 * One key per temperature sensor, whichever source read it: the thermal zone's type up to its first
 * "-" or "_", lower-cased, as tegrastats prints it (CPU-therm -> cpu, Tboard_tegra -> tboard).
 */
export function temperatureKey(name: string): string {
  return (name.split(/[-_]/)[0] ?? name).toLowerCase();
}
