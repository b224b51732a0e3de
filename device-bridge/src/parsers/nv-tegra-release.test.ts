import { L4tReleaseSchema, type L4tRelease } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { fixturesMissing, readFixture, uncoveredFixtures } from "./fixtures.js";
import { L4T_JETPACK_RELEASES } from "./nv-tegra-release-table.js";
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

// NVIDIA's JetPack archive, written out here apart from the bridge's table: every release R28 to R39.
const PUBLISHED: Array<[l4t: string, jetpack: string]> = [
  ["28.1.0", "3.1"], ["28.2.0", "3.2"], ["28.2.1", "3.3"], ["28.4.0", "3.3.3"],
  ["31.0.1", "4.0 DP"], ["31.0.2", "4.1"], ["31.1.0", "4.1.1"],
  ["32.1.0", "4.2"], ["32.2.0", "4.2.1"], ["32.2.1", "4.2.2"], ["32.2.3", "4.2.3"], ["32.3.1", "4.3"],
  ["32.4.2", "4.4 DP"], ["32.4.3", "4.4"], ["32.4.4", "4.4.1"], ["32.5.0", "4.5"], ["32.5.1", "4.5.1"], ["32.5.2", "4.5.1"],
  ["32.6.1", "4.6"], ["32.7.1", "4.6.1"], ["32.7.2", "4.6.2"], ["32.7.3", "4.6.3"], ["32.7.4", "4.6.4"], ["32.7.5", "4.6.5"], ["32.7.6", "4.6.6"],
  ["34.0.1", "5.0 PRE-DP"], ["34.1.0", "5.0 DP"], ["34.1.1", "5.0.1 DP"],
  ["35.1.0", "5.0.2"], ["35.2.1", "5.1"], ["35.3.0", "5.1.1 PRE"], ["35.3.1", "5.1.1"], ["35.4.1", "5.1.2"], ["35.5.0", "5.1.3"],
  ["35.6.0", "5.1.4"], ["35.6.1", "5.1.5"], ["35.6.2", "5.1.5"], ["35.6.3", "5.1.5"], ["35.6.4", "5.1.6"],
  ["36.0.0", "6.0 EA"], ["36.2.0", "6.0 DP"], ["36.3.0", "6.0"], ["36.4.0", "6.1"], ["36.4.2", "6.1"], ["36.4.3", "6.2"],
  ["36.4.4", "6.2.1"], ["36.4.7", "6.2.1"], ["36.5.0", "6.2.2"],
  ["38.2.0", "7.0"], ["38.2.1", "7.0"], ["38.2.2", "7.0"], ["38.4.0", "7.1"], ["39.0.0", "7.2 EA"], ["39.2.0", "7.2"],
];

describe("every published L4T release names its JetPack", () => {
  it.each(PUBLISHED)("R%s -> JetPack %s, from the release line", (l4t, jetpack) => {
    const [major, minor, patch] = l4t.split(".");
    const line = `# R${major} (release), REVISION: ${minor}.${patch}, GCID: 1, BOARD: generic, EABI: aarch64, DATE: Mon Jan  1 00:00:00 UTC 2024`;
    expect(parseNvTegraRelease(line)).toMatchObject({ l4t, jetpack });
    expect(l4tReleaseFromVersion(l4t)?.jetpack).toBe(jetpack);
  });

  it("has no row that is not published", () => {
    expect(L4T_JETPACK_RELEASES.map(([l4t, jetpack]) => [l4t, jetpack])).toEqual(PUBLISHED);
  });

  it("reads the two-part releases NVIDIA wrote early on", () => {
    expect(jetpackForL4t("32.1")).toBe("4.2");
    expect(jetpackForL4t("28.2")).toBe("3.2");
  });

  it.each(["32.7.0", "35.6.5", "36.4.1", "36.4.8", "37.0.0", "40.1.0", "", "R36", "36.4.3.1"])("%j is unknown, not guessed", (l4t) => {
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
