import { describe, expect, it } from "vitest";
import { terminalJson } from "./terminal-json.js";

const ACTIVE = /[\u007f-\u009f\p{Cf}]/u;

describe("a command's JSON output", () => {
  it("escapes C1 controls, DEL and format characters, and parses back to the same value", () => {
    // CSI 2J, OSC 0;owned ST, a right-to-left override, a zero-width joiner, a tag character (outside the BMP), DEL.
    const value = { node: "v20.20.2\u009b2J\u009d0;owned\u009c\u202eevil", "key\u200d": ["\u{e0041}", "a\u007fb", "caf\u00e9 \u00a0ok"], n: 1 };
    const text = terminalJson(value);
    expect(text).not.toMatch(ACTIVE);
    expect(text).toContain("v20.20.2\\u009b2J\\u009d0;owned\\u009c\\u202eevil");
    expect(text).toContain("\\udb40\\udc41");
    expect(JSON.parse(text)).toEqual(value);
    // Printable text beyond ASCII stays as it is.
    expect(text).toContain("caf\u00e9 \u00a0ok");
  });

  it("is JSON.stringify's output where nothing needs escaping", () => {
    const value = { device: "cam-1", steps: [{ step: "running", changed: false }] };
    expect(terminalJson(value)).toBe(JSON.stringify(value, null, 2));
  });
});
