import type { HostPort } from "../host/port.js";
import { parseDeviceTreeCompatible, parseDeviceTreeString, socFromCompatible } from "../parsers/device-tree.js";
import { jetpackForL4t, l4tFromCorePackageVersion, parseNvTegraRelease } from "../parsers/nv-tegra-release.js";

export interface Identity {
  hostname: string;
  board?: string;
  soc?: string;
  l4t?: string;
  jetpack?: string;
}

/** Who this machine is: hostname, board model, SoC and its L4T/JetPack release. */
export async function readIdentity(host: HostPort): Promise<Identity> {
  const [hostname, model, compatible, release] = await Promise.all([
    host.readFile("/etc/hostname"),
    host.readFile("/proc/device-tree/model"),
    host.readFile("/proc/device-tree/compatible"),
    host.readFile("/etc/nv_tegra_release"),
  ]);
  const l4t = (release ? releaseL4t(release) : undefined) ?? (await l4tFromPackage(host));
  return {
    hostname: hostname?.trim() || "unknown",
    board: model ? parseDeviceTreeString(model) : undefined,
    soc: compatible ? socFromCompatible(parseDeviceTreeCompatible(compatible)) : undefined,
    l4t,
    jetpack: l4t ? jetpackForL4t(l4t) : undefined,
  };
}

/** Vendors edit this file; an unreadable one counts as absent. */
function releaseL4t(text: string): string | undefined {
  try {
    return parseNvTegraRelease(text).l4t;
  } catch {
    return undefined;
  }
}

/** Inside containers /etc/nv_tegra_release is missing; the L4T core package still says the release. */
async function l4tFromPackage(host: HostPort): Promise<string | undefined> {
  const result = await host
    .run("dpkg-query", ["--showformat=${Version}", "--show", "nvidia-l4t-core"], { timeoutMs: 5_000 })
    .catch(() => undefined);
  return result?.exitCode === 0 ? l4tFromCorePackageVersion(result.stdout) : undefined;
}

/** The board's serial number, where the device tree has one (serial-number, NUL-terminated). */
export async function readSerialNumber(host: HostPort): Promise<string | undefined> {
  const raw = await host.readFile("/proc/device-tree/serial-number");
  return raw === undefined ? undefined : parseDeviceTreeString(raw);
}
