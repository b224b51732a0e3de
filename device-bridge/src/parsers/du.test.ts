import { describe, expect, it } from "vitest";
import { parseDu, parseDuDenied } from "./du.js";

describe("du -0 -x -B1 --max-depth=N", () => {
  it("reads sizes and paths, paths with spaces and tabs included", () => {
    const out = "8192\t/var/lib/apt/lists/partial\x00412311552\t/var/lib/apt/lists\x004096\t/var/lib/with space\x008725196800\t/var\0";
    expect(parseDu(out)).toEqual([
      { path: "/var/lib/apt/lists/partial", bytes: 8192 },
      { path: "/var/lib/apt/lists", bytes: 412311552 },
      { path: "/var/lib/with space", bytes: 4096 },
      { path: "/var", bytes: 8725196800 },
    ]);
    expect(parseDu("")).toEqual([]);
  });

  it("reads a line break as part of a name, never as the start of another folder, and leaves out a record cut short", () => {
    expect(parseDu("4096\t/data/a\n987654321098\tx\x008192\t/data\x004096\t/data/cu")).toEqual([
      { path: "/data/a\n987654321098\tx", bytes: 4096 },
      { path: "/data", bytes: 8192 },
    ]);
  });

  it("lists the folders it could not read", () => {
    const err = [
      "du: cannot read directory '/var/lib/docker': Permission denied",
      "du: cannot read directory '/var/cache/ldconfig': Permission denied",
      "du: cannot access '/var/lib/gone': No such file or directory",
      "",
    ].join("\n");
    expect(parseDuDenied(err)).toEqual(["/var/lib/docker", "/var/cache/ldconfig"]);
  });
});
