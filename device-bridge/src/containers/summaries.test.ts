import { describe, expect, it } from "vitest";
import { containerState } from "./summaries.js";

describe("containerState", () => {
  it("maps the engines' own state names and keeps the standard ones", () => {
    expect(containerState("Running")).toBe("running");
    expect(containerState("configured")).toBe("created");
    expect(containerState("stopping")).toBe("running");
  });

  it("answers unknown for a state named like an inherited property (constructor, toString, __proto__)", () => {
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) expect(containerState(name)).toBe("unknown");
  });
});
