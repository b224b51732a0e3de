import type { HostPort } from "../host/port.js";

type Library = "cuda" | "cudnn" | "tensorrt" | "vpi" | "opencv";
export type LibraryVersions = Partial<Record<Library, { package: string; version: string }>>;

/**
 * Which Debian package tells each library's version, most specific first. JetPack names them
 * after the major version (cuda-cudart-12-6, libcudnn9-cuda-12, libnvinfer10, libnvvpi3), and
 * Ubuntu's own OpenCV is libopencv-core4.x.
 */
const PACKAGES: ReadonlyArray<[Library, RegExp]> = [
  ["cuda", /^cuda-cudart-\d+-\d+$/],
  ["cuda", /^cuda-runtime-\d+-\d+$/],
  ["cudnn", /^libcudnn\d+(-cuda-\d+)?$/],
  ["tensorrt", /^libnvinfer\d+$/],
  ["tensorrt", /^tensorrt$/],
  ["vpi", /^libnvvpi\d+$/],
  ["opencv", /^libopencv$/],
  ["opencv", /^libopencv-core[\d.]+d?$/],
];
/** dpkg-query patterns (it matches them itself: no shell is involved) covering PACKAGES. */
const PATTERNS = ["cuda-cudart-*", "cuda-runtime-*", "libcudnn*", "libnvinfer*", "tensorrt", "libnvvpi*", "libopencv", "libopencv-core*"];

/** `package<TAB>version<TAB>status` lines as the query below prints them. */
export function parseDpkgVersions(text: string): LibraryVersions {
  const installed = new Map<string, string>();
  for (const line of text.split("\n")) {
    const [name, version, status] = line.split("\t");
    if (name && version && status?.startsWith("ii")) installed.set(name, version);
  }
  const found: LibraryVersions = {};
  for (const [library, pattern] of PACKAGES) {
    if (found[library]) continue;
    const name = [...installed.keys()].sort().reverse().find((n) => pattern.test(n));
    const version = name === undefined ? undefined : installed.get(name);
    if (name && version) found[library] = { package: name, version: upstream(version) };
  }
  return found;
}

/** 8.6.0.166-1+cuda11.4 -> 8.6.0.166: the Debian revision and epoch say nothing about the library. */
function upstream(version: string): string {
  const withoutEpoch = version.replace(/^\d+:/, "");
  const dash = withoutEpoch.lastIndexOf("-");
  return dash > 0 ? withoutEpoch.slice(0, dash) : withoutEpoch;
}

/** CUDA's own version file, for a toolkit installed without packages (version.json from CUDA 11, version.txt before). */
async function cudaFromToolkit(host: HostPort): Promise<{ package: string; version: string } | undefined> {
  const json = await host.readFile("/usr/local/cuda/version.json");
  const fromJson = json ? /"cuda"\s*:\s*\{[^}]*"version"\s*:\s*"([\d.]+)"/.exec(json)?.[1] : undefined;
  if (fromJson) return { package: "/usr/local/cuda/version.json", version: fromJson };
  const text = await host.readFile("/usr/local/cuda/version.txt");
  const fromText = text ? /CUDA Version ([\d.]+)/.exec(text)?.[1] : undefined;
  return fromText ? { package: "/usr/local/cuda/version.txt", version: fromText } : undefined;
}

export async function readLibraryVersions(host: HostPort): Promise<{ libraries: LibraryVersions; packagesReadable: boolean }> {
  // dpkg-query exits 1 when a pattern matches nothing, yet prints what the others matched.
  const query = await host
    .run("dpkg-query", ["-W", "-f=${Package}\t${Version}\t${db:Status-Abbrev}\n", ...PATTERNS], { timeoutMs: 20_000 })
    .catch(() => undefined);
  const packagesReadable = query !== undefined && !query.timedOut && (query.exitCode === 0 || query.exitCode === 1);
  const libraries = packagesReadable ? parseDpkgVersions(query.stdout) : {};
  libraries.cuda ??= await cudaFromToolkit(host);
  return { libraries, packagesReadable };
}
