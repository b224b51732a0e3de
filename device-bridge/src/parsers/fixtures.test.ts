import { describe, expect, it } from "vitest";
import { fixturesMissing, listFixtureKinds } from "./fixtures.js";

// Fixture folders whose every file a parser test asserts (each test file checks its folders file by file).
const ASSERTED_KINDS = [
  "jetson_clocks-show",
  "nv_tegra_release",
  "nvidia-smi-csv",
  "nvpmodel-m",
  "nvpmodel-p-verbose",
  "nvpmodel-q",
  "nvpmodel-q-verbose",
  "tegrastats",
];
// Folder names of the formats these parsers read; other folders (docker-*) belong to other parts.
const PARSED_FORMAT = /^(?:tegrastats|nvpmodel|jetson_clocks|nv_tegra_release|nvidia-smi)/;

describe.skipIf(fixturesMissing("fixture coverage"))("fixture coverage", () => {
  it("has tests for every fixture folder of a parsed format", () => {
    expect(listFixtureKinds().filter((kind) => PARSED_FORMAT.test(kind))).toEqual(ASSERTED_KINDS);
  });
});
