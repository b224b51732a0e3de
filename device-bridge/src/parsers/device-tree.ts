/** A device-tree string property (model, serial-number): stored with a trailing NUL; undefined when empty. */
export function parseDeviceTreeString(raw: string): string | undefined {
  const value = raw.replace(/[\0\s]+$/, "");
  return value === "" ? undefined : value;
}

/** /proc/device-tree/compatible: NUL-separated entries, most specific first. */
export function parseDeviceTreeCompatible(raw: string): string[] {
  return raw
    .split("\0")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

const SOC_ENTRY = /^nvidia,(tegra\d+)$/;

/** The SoC ("tegra234") from the compatible list: its last nvidia,tegraNNN entry. */
export function socFromCompatible(compatible: readonly string[]): string | undefined {
  for (const entry of [...compatible].reverse()) {
    const soc = SOC_ENTRY.exec(entry)?.[1];
    if (soc !== undefined) return soc;
  }
  return undefined;
}

const FAMILIES = new Map([
  ["tegra210", "Nano/TX1"],
  ["tegra186", "TX2"],
  ["tegra194", "Xavier"],
  ["tegra234", "Orin"],
  ["tegra264", "Thor"],
]);

/** The Jetson family of a SoC ("tegra234" -> "Orin"); undefined for SoCs not in the table. */
export function familyForSoc(soc: string): string | undefined {
  return FAMILIES.get(soc);
}
