import { describe, expect, it } from "vitest";
import { parseDu, parseDuDenied } from "./du.js";

describe("du -x -B1 --max-depth=N", () => {
  it("reads sizes and paths, paths with spaces and tabs included", () => {
    const out = "8192\t/var/lib/apt/lists/partial\n412311552\t/var/lib/apt/lists\n4096\t/var/lib/with space\n8725196800\t/var\n";
    expect(parseDu(out)).toEqual([
      { path: "/var/lib/apt/lists/partial", bytes: 8192 },
      { path: "/var/lib/apt/lists", bytes: 412311552 },
      { path: "/var/lib/with space", bytes: 4096 },
      { path: "/var", bytes: 8725196800 },
    ]);
    expect(parseDu("")).toEqual([]);
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
