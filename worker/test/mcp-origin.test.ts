import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createFleet } from "./device-client.js";
import { mcpRequest } from "./mcp-request.js";

const OWN = new URL(env.PUBLIC_URL).origin;

/** tools/list as a browser page at `origin` would send it. */
function fromPage(origin: string | undefined, token?: string) {
  const send = (request: Request) => {
    if (origin !== undefined) request.headers.set("Origin", origin);
    return exports.default.fetch(request);
  };
  return mcpRequest(token, "tools/list", {}, { send });
}

function preflight(origin: string, path = "/mcp") {
  return exports.default.fetch(`${OWN}${path}`, {
    method: "OPTIONS",
    headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type" },
  });
}

let admin: string;

beforeAll(async () => {
  admin = await createFleet("origins");
});

describe("/mcp checks Host and Origin (DNS rebinding)", () => {
  it("refuses a request from another origin with 403 before looking at its token, and reflects no foreign origin", async () => {
    for (const origin of ["http://evil.example", "http://evil.example:8787", "https://127.0.0.1.evil.example", "null"]) {
      for (const token of [admin, undefined]) {
        const { response } = await fromPage(origin, token);
        expect(response.status, `${origin} ${token ? "with" : "without"} a token`).toBe(403);
        expect(response.headers.get("Access-Control-Allow-Origin"), origin).toBeNull();
      }
      const refused = await preflight(origin);
      expect(refused.status, origin).toBe(403);
      expect(refused.headers.get("Access-Control-Allow-Origin"), origin).toBeNull();
    }
    // Below /mcp too: the provider treats /mcp/… as the same API.
    const below = await exports.default.fetch(`${OWN}/mcp/anything`, { method: "POST", headers: { Origin: "http://evil.example" } });
    expect(below.status).toBe(403);
  });

  it("serves its own origin, loopback pages of the local stack, and clients that send no Origin", async () => {
    const own = await fromPage(OWN, admin);
    expect(own.response.status).toBe(200);
    expect(own.response.headers.get("Access-Control-Allow-Origin")).toBe(OWN);
    // PUBLIC_URL is 127.0.0.1 here (the local stack): a tool on another loopback port, such as an inspector, may call.
    expect((await fromPage("http://localhost:6274", admin)).response.status).toBe(200);
    // Loopback is one rule product-wide (the CLI's and devices' cleartext URLs too): all of 127.0.0.0/8.
    expect((await fromPage("http://127.0.0.2:6274", admin)).response.status).toBe(200);
    expect((await fromPage(undefined, admin)).response.status).toBe(200);
    expect((await fromPage(OWN)).response.status).toBe(401);
    expect((await preflight(OWN)).status).toBe(204);
  });

  it("refuses a request addressed to another host (a rebound name) with 403, even with a valid token and no Origin", async () => {
    for (const host of ["evil.example", "evil.example:8787", "127.0.0.1.evil.example", "127.0.0.2.evil.example"]) {
      const { response } = await mcpRequest(admin, "tools/list", {}, { url: `http://${host}/mcp` });
      expect(response.status, host).toBe(403);
    }
  });

  it("leaves OAuth discovery open to any page, as browser clients need, without credentials", async () => {
    const metadata = await exports.default.fetch(`${OWN}/.well-known/oauth-protected-resource/mcp`, { headers: { Origin: "http://evil.example" } });
    expect(metadata.status).toBe(200);
    expect(metadata.headers.get("Access-Control-Allow-Origin")).toBe("http://evil.example");
    expect(metadata.headers.get("Access-Control-Allow-Credentials")).toBeNull();
  });
});
