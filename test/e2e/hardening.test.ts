import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { TestStack } from "../support/stack.js";

let stack: TestStack;
let mcp: Client;

beforeAll(async () => {
  stack = await TestStack.start();
  mcp = await stack.mcp();
  await stack.addBridge("hardened-1", "orin-nano-super-jp6");
});

afterAll(async () => {
  await mcp?.close();
  await stack?.stop();
});

/**
 * The close code is known when the server's close frame arrives; wrangler dev ends the TCP connection
 * up to 30 s later, and ws would wait that long (its closeTimeout, which @types/ws does not list yet).
 */
const CLOSE_SOON: WebSocket.ClientOptions & { closeTimeout: number } = { closeTimeout: 1_000 };

/** A raw tunnel socket, open, with its close code awaitable. */
async function tunnel(fleet: string, device: string): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  const ws = new WebSocket(`${stack.worker.url.replace("http", "ws")}/tunnel/${fleet}/${device}`, ["mqtt"], CLOSE_SOON);
  const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  return { ws, closed };
}

describe("the tunnel under wrangler dev", () => {
  // The server closes them 10 s after opening.
  it("closes sockets that never send CONNECT, for a real device and a made-up one, and the real device keeps working", async () => {
    const silent = await Promise.all([
      ...Array.from({ length: 100 }, () => tunnel("local", "hardened-1")),
      ...Array.from({ length: 100 }, (_, i) => tunnel("local", `made-up-${i % 10}`)),
    ]);
    // The object's alarm closes them, or its timer where the device does not exist (no storage, no alarm).
    const codes = await Promise.all(silent.map(({ closed }) => closed));
    expect(new Set(codes)).toEqual(new Set([4002]));
    const ping = (await mcp.callTool({ name: "system_ping", arguments: { device: "hardened-1" } })) as CallToolResult;
    expect(ping.isError).toBeFalsy();
  });

  it("closes a socket sending a 1 MB partial CONNECT instead of holding it", async () => {
    const { ws, closed } = await tunnel("local", "hardened-1");
    // CONNECT with a remaining length of 1,048,000 bytes, then all but the last few of them.
    ws.send(Buffer.from([0x10, 0xc0, 0xfb, 0x3f]));
    ws.send(Buffer.alloc(1_047_000));
    expect(await closed).toBe(1002);
  });
});
