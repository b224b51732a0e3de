import { L4tReleaseSchema, type L4tRelease } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { fixturesMissing, readFixture, uncoveredFixtures } from "./fixtures.js";
import { jetpackForL4t, l4tFromCorePackageVersion, l4tReleaseFromVersion, parseNvTegraRelease } from "./nv-tegra-release.js";

const CASES: Record<string, L4tRelease> = {
  // BOARD says t186ref on an Orin: kept as printed
  "agx-orin-2.txt": { l4t: "35.4.1", major: 35, revision: "4.1", board: "t186ref", jetpack: "5.1.2" },
  "agx-orin-3.txt": { l4t: "36.4.4", major: 36, revision: "4.4", board: "generic", jetpack: "6.2.1" },
  "agx-orin-4.txt": { l4t: "36.4.3", major: 36, revision: "4.3", board: "generic", jetpack: "6.2" },
  "nano-1.txt": { l4t: "32.7.6", major: 32, revision: "7.6", board: "t210ref", jetpack: "4.6.6" },
  // jtop of its day said "Jetpack UNKNOWN"; 32.5.2 is an update within JetPack 4.5.1
  "tx2-1.txt": { l4t: "32.5.2", major: 32, revision: "5.2", board: "t186ref", jetpack: "4.5.1" },
};

describe.skipIf(fixturesMissing("nv_tegra_release fixtures"))("nv_tegra_release fixtures", () => {
  it("has a case for every fixture file", () => {
    expect(uncoveredFixtures("nv_tegra_release", CASES)).toEqual([]);
  });

  it.each(Object.entries(CASES))("%s", (file, expected) => {
    const release = parseNvTegraRelease(readFixture("nv_tegra_release", file));
    expect(release).toStrictEqual(expected);
    expect(L4tReleaseSchema.parse(release)).toStrictEqual(release);
  });
});

describe("parseNvTegraRelease", () => {
  it("reads the release line wherever a vendor puts it and ignores later lines", () => {
    const text = "ACME image 2.1\n# R36 (release), REVISION: 3.0, GCID: 36191598, BOARD: generic, EABI: aarch64\nBOARD: other\n";
    expect(parseNvTegraRelease(text)).toStrictEqual({
      l4t: "36.3.0",
      major: 36,
      revision: "3.0",
      board: "generic",
      jetpack: "6.0",
    });
  });

  it("leaves jetpack out for a release not in the table", () => {
    expect(parseNvTegraRelease("# R37 (release), REVISION: 1.0")).toStrictEqual({ l4t: "37.1.0", major: 37, revision: "1.0" });
  });

  it("throws on a file without a release line", () => {
    expect(() => parseNvTegraRelease("")).toThrow(/no '# R<major> \(release\), REVISION: <x.y>' line/);
  });
});

describe("jetpackForL4t", () => {
  it.each([
    ["32.5.0", "4.5"],
    ["32.5.1", "4.5.1"],
    ["32.6.1", "4.6"],
    ["32.7.1", "4.6.1"],
    ["32.7.6", "4.6.6"],
    ["35.1.0", "5.0.2"],
    ["35.2.1", "5.1"],
    ["35.3.1", "5.1.1"],
    ["35.4.1", "5.1.2"],
    ["35.5.0", "5.1.3"],
    ["35.6.0", "5.1.4"],
    ["36.2.0", "6.0"],
    ["36.3.0", "6.0"],
    ["36.4.0", "6.1"],
    ["36.4.3", "6.2"],
    ["36.4.4", "6.2.1"],
    ["38.2.0", "7.0"],
    ["38.4.0", "7.1"],
    ["39.2.0", "7.2"],
  ])("%s -> JetPack %s", (l4t, jetpack) => {
    expect(jetpackForL4t(l4t)).toBe(jetpack);
  });

  it.each(["32.7.0", "35.6.1", "36.4.1", "36.5.0", "37.0.0", "40.1.0", "", "R36"])("%j is unknown, not guessed", (l4t) => {
    expect(jetpackForL4t(l4t)).toBeUndefined();
  });
});

describe("l4tFromCorePackageVersion", () => {
  it.each([
    ["36.4.3-20250107174145", "36.4.3"],
    ["'32.7.6-20241104234540'\n", "32.7.6"], // the quoted --showformat as some scripts pass it
    ["38.2.1", "38.2.1"],
  ])("%j -> %s", (text, l4t) => {
    expect(l4tFromCorePackageVersion(text)).toBe(l4t);
  });

  it.each(["", "dpkg-query: no packages found matching nvidia-l4t-core", "36.4"])("%j -> undefined", (text) => {
    expect(l4tFromCorePackageVersion(text)).toBeUndefined();
  });

  it("gives the release record of the package's version", () => {
    expect(l4tReleaseFromVersion("36.4.4")).toStrictEqual({ l4t: "36.4.4", major: 36, revision: "4.4", jetpack: "6.2.1" });
    expect(l4tReleaseFromVersion("latest")).toBeUndefined();
  });
});
