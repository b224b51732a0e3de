import { describe, expect, it } from "vitest";
import { nodeVersionUsable } from "./target-check.js";

describe("a Node that can run the bridge", () => {
  it.each([
    ["v18.15.0", true],
    ["v18.20.8", true],
    ["v20.19.2", true],
    ["v22.0.0", true],
    ["v18.14.2", false],
    ["v16.20.2", false],
    // Ubuntu 18.04's (JetPack 4) and 20.04's (JetPack 5) own packages.
    ["v8.10.0", false],
    ["v10.19.0", false],
    ["not a version", false],
  ])("%s: %s", (version, usable) => {
    expect(nodeVersionUsable(version)).toBe(usable);
  });
});
