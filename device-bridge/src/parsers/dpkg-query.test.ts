import { describe, expect, it } from "vitest";
import { parseDpkgQuery } from "./dpkg-query.js";

// dpkg-query -W -f='${Package}\t${Version}\t${Architecture}\t${db:Status-Abbrev}\t${Installed-Size}\t${binary:Summary}\n' on JetPack 6.
const OUTPUT = [
  "libopencv-dev\t4.8.0-1-g6371ee1\tarm64\tii \t6744\tDevelopment files for Open Source Computer Vision Library",
  "nvidia-l4t-core\t36.4.3-20250107174145\tarm64\tii \t10292\tNVIDIA Core Package",
  "htop\t3.0.5-7build2\tarm64\trc \t\tinteractive processes viewer",
  "vim-tiny\t2:8.2.3995-1ubuntu2.21\tarm64\tiU \t1727\tVi IMproved - enhanced vi editor - compact version",
  "",
].join("\n");

describe("dpkg-query", () => {
  it("reads each package's version, architecture, state, size and summary", () => {
    const packages = parseDpkgQuery(OUTPUT);
    expect(packages[1]).toEqual({
      name: "nvidia-l4t-core",
      version: "36.4.3-20250107174145",
      architecture: "arm64",
      status: "installed",
      installedSizeKiB: 10292,
      summary: "NVIDIA Core Package",
    });
    expect(packages.map((p) => `${p.name} ${p.status}`)).toEqual([
      "libopencv-dev installed",
      "nvidia-l4t-core installed",
      "htop config-files",
      "vim-tiny unpacked",
    ]);
    expect(packages[2]?.installedSizeKiB).toBeUndefined();
    expect(() => parseDpkgQuery("htop\n")).toThrow(/cannot read/);
  });
});
