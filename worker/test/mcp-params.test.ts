import { beforeAll, describe, expect, it } from "vitest";
import { createFleet } from "./device-client.js";
import { rpcRequest } from "./mcp-request.js";

// Params of the wrong type are the client's mistake: -32602 with a short message saying where,
// on either revision, as tools/call answers them; never -32603 with the validator's dump.

const MODERN = "2026-07-28";
type Era = "2025-11-25" | typeof MODERN;
let token: string;

beforeAll(async () => {
  token = await createFleet("mcp-params");
});

/** One raw JSON-RPC request as a client of `era` sends it; `name` is the Mcp-Name header 2026-07-28 asks for. */
const rpc = (era: Era, method: string, params: Record<string, unknown>, name?: string) => rpcRequest(token, era, method, params, { name, client: "mcp-params" });

const NOT_STRING = "Invalid input: expected string, received number";

describe.each<Era>(["2025-11-25", MODERN])("params of the wrong type on %s", (era) => {
  it.each([
    ["resources/read", { uri: 5 }, `Invalid params for resources/read: uri: ${NOT_STRING}`],
    ["prompts/get", { name: "diagnose_throttling", arguments: { device: 1 } }, `Invalid params for prompts/get: arguments.device: ${NOT_STRING}`],
    ["completion/complete", { ref: { type: "ref/prompt", name: "diagnose_throttling" }, argument: { name: "device", value: 5 } }, `Invalid params for completion/complete: argument.value: ${NOT_STRING}`],
    ["tools/list", { cursor: 5 }, `Invalid params for tools/list: cursor: ${NOT_STRING}`],
  ])("answer %s with -32602 and where the params are wrong", async (method, params, message) => {
    expect(await rpc(era, method, params)).toMatchObject({ error: { code: -32602, message } });
  });

  it("still answer a request whose params fit", async () => {
    expect(await rpc(era, "resources/read", { uri: "jetson://devices" }, "jetson://devices")).toMatchObject({ result: { contents: [expect.objectContaining({ uri: "jetson://devices" })] } });
  });
});

describe("logging/setLevel", () => {
  it("answers a level that is not one with -32602 on 2025-11-25, and is no method of 2026-07-28", async () => {
    expect(await rpc("2025-11-25", "logging/setLevel", { level: "nope" })).toMatchObject({
      error: { code: -32602, message: expect.stringMatching(/^Invalid params for logging\/setLevel: level: Invalid option: expected one of "debug"\|/) },
    });
    expect(await rpc("2025-11-25", "logging/setLevel", { level: "info" })).toMatchObject({ result: {} });
    expect(await rpc(MODERN, "logging/setLevel", { level: "nope" })).toMatchObject({ error: { code: -32601 } });
  });
});
