import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Fleet } from "../src/fleet.js";
import { Confirmations } from "../src/mcp/confirmation.js";

// The request-state codec throws on a key under 32 bytes; built per request, that would
// answer every /mcp request with a 500 on a deployment whose secret is too short.

const fleet = new Fleet(env, { fleet: "secrets", kind: "token", id: "t", scopes: ["read", "operate"] });

describe("the confirmation secret", () => {
  it("too short or missing: the server still builds, and has nothing to verify states with", () => {
    for (const secret of [undefined, "", "short", "x".repeat(31)]) {
      const confirmations = new Confirmations("modern", fleet, secret);
      expect(confirmations.verify, String(secret)).toBeUndefined();
    }
  });

  it("32 bytes or more: states are signed and verified", () => {
    expect(new Confirmations("modern", fleet, "x".repeat(32)).verify).toBeTypeOf("function");
  });
});
