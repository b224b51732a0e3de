import type { L4tRelease } from "@jetson/protocol";
import { L4T_JETPACK_RELEASES } from "./nv-tegra-release-table.js";

// "# R36 (release), REVISION: 4.3, GCID: 38968081, BOARD: generic, EABI: aarch64, DATE: ..."
const RELEASE = /^#\s*R(\d+)\s*\(release\),\s*REVISION:\s*(\d+)\.(\d+)/m;
const BOARD = /BOARD:\s*([^,\s]+)/;
// nvidia-l4t-core's version: "36.4.3-20250107174145"
const CORE_PACKAGE_VERSION = /^'?(\d+)\.(\d+)\.(\d+)(?:[-+~][^']*)?'?$/;

const JETPACK = new Map(L4T_JETPACK_RELEASES);

/** The JetPack release of an L4T version ("36.4.3", or "32.1" as NVIDIA wrote early ones); undefined when not in the table. */
export function jetpackForL4t(l4t: string): string | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(l4t);
  return m ? JETPACK.get(`${Number(m[1])}.${Number(m[2])}.${Number(m[3] ?? 0)}`) : undefined;
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
