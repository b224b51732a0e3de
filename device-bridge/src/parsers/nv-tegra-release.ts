import type { L4tRelease } from "@jetson/protocol";

// "# R36 (release), REVISION: 4.3, GCID: 38968081, BOARD: generic, EABI: aarch64, DATE: ..."
const RELEASE = /^#\s*R(\d+)\s*\(release\),\s*REVISION:\s*(\d+)\.(\d+)/m;
const BOARD = /BOARD:\s*([^,\s]+)/;
// nvidia-l4t-core's version: "36.4.3-20250107174145"
const CORE_PACKAGE_VERSION = /^'?(\d+)\.(\d+)\.(\d+)(?:[-+~][^']*)?'?$/;

/**
 * L4T release -> JetPack, most specific key first: "major.minor.patch", then "major.minor", then "major".
 * Only releases NVIDIA published a JetPack for; anything else stays unknown.
 */
const JETPACK = new Map<string, string>([
  ["32.1", "4.2"],
  ["32.2.0", "4.2.1"],
  ["32.2.1", "4.2.2"],
  ["32.2.3", "4.2.3"],
  ["32.3.1", "4.3"],
  ["32.4.3", "4.4"],
  ["32.4.4", "4.4.1"],
  ["32.5.0", "4.5"],
  ["32.5.1", "4.5.1"],
  ["32.5.2", "4.5.1"], // a 4.5.1 update release
  ["32.6", "4.6"],
  ["32.7.1", "4.6.1"],
  ["32.7.2", "4.6.2"],
  ["32.7.3", "4.6.3"],
  ["32.7.4", "4.6.4"],
  ["32.7.5", "4.6.5"],
  ["32.7.6", "4.6.6"],
  ["35.1", "5.0.2"],
  ["35.2", "5.1"],
  ["35.3", "5.1.1"],
  ["35.4", "5.1.2"],
  ["35.5", "5.1.3"],
  ["35.6.0", "5.1.4"], // exact: a later 35.6.x may ship with a later JetPack
  ["36.2", "6.0"], // developer preview
  ["36.3", "6.0"],
  ["36.4.0", "6.1"],
  ["36.4.3", "6.2"],
  ["36.4.4", "6.2.1"],
  ["38.2", "7.0"],
  ["38.4", "7.1"],
  ["39", "7.2"],
]);

/** The JetPack release of an L4T version such as "36.4.3"; undefined when not in the table. */
export function jetpackForL4t(l4t: string): string | undefined {
  const parts = l4t.split(".");
  for (let n = parts.length; n > 0; n--) {
    const jetpack = JETPACK.get(parts.slice(0, n).join("."));
    if (jetpack !== undefined) return jetpack;
  }
  return undefined;
}

/** /etc/nv_tegra_release: its first line names the release; later lines (JetPack 6+, vendors) are ignored. */
export function parseNvTegraRelease(text: string): L4tRelease {
  const m = RELEASE.exec(text);
  if (!m) throw new Error("nv_tegra_release: no '# R<major> (release), REVISION: <x.y>' line");
  const release = l4tRelease(m[1] as string, m[2] as string, m[3] as string);
  const board = BOARD.exec(m.input.slice(m.index).split("\n")[0] as string)?.[1];
  return board === undefined ? release : { ...release, board };
}

/** The L4T version ("36.4.3") from `dpkg-query --showformat='${Version}' --show nvidia-l4t-core`, for containers without /etc/nv_tegra_release. */
export function l4tFromCorePackageVersion(text: string): string | undefined {
  const m = CORE_PACKAGE_VERSION.exec(text.trim());
  return m ? `${m[1]}.${m[2]}.${m[3]}` : undefined;
}

/** The release record of an L4T version string, as from the package version. */
export function l4tReleaseFromVersion(l4t: string): L4tRelease | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(l4t);
  return m ? l4tRelease(m[1] as string, m[2] as string, m[3] as string) : undefined;
}

function l4tRelease(major: string, minor: string, patch: string): L4tRelease {
  const l4t = `${Number(major)}.${Number(minor)}.${Number(patch)}`;
  const jetpack = jetpackForL4t(l4t);
  const release = { l4t, major: Number(major), revision: `${Number(minor)}.${Number(patch)}` };
  return jetpack === undefined ? release : { ...release, jetpack };
}
