import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { decodePortFrame, encodePortFrame, INITIAL_WINDOW_BYTES, MAX_CHUNK_BYTES, MAX_WS_MESSAGE_BYTES, type PortFrame, type PortFrameHeader, type PortFrameOf } from "@jetson/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { createLogger } from "../log.js";
import { PortRelay } from "./port-relay.js";

const BIG = 4 * INITIAL_WINDOW_BYTES;
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/big") {
      res.writeHead(200, { "content-type": "application/octet-stream", "set-cookie": "x=y" });
      res.end(Buffer.alloc(BIG, 7));
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`));
  });
  // Echoes WebSocket messages; agrees to the first subprotocol asked for.
  new WebSocketServer({ server }).on("connection", (socket) => socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary })));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

/** A relay whose frames to the cloud are collected; `until` waits for the frame a test expects. */
function relayFor(allowed: number[]) {
  const frames: PortFrame[] = [];
  let notify = () => {};
  const relay = new PortRelay(new Set(allowed), (payload) => {
    frames.push(decodePortFrame(payload));
    notify();
  }, createLogger("test"));
  const until = (ok: (frames: PortFrame[]) => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (ok(frames)) resolve();
      };
      notify = check;
      check();
    });
  const send = (header: PortFrameHeader, body?: Uint8Array) => relay.receive(encodePortFrame(header, body));
  return { relay, frames, until, send };
}

const get = (stream: number, path: string, method = "GET"): PortFrameOf<"open"> => ({ type: "open", stream, port, method, path, headers: [["accept", "*/*"]], websocket: false });
const dataBytes = (frames: PortFrame[]) => frames.filter((f) => f.header.type === "data").reduce((sum, f) => sum + f.body.length, 0);

describe("the device's port relay", () => {
  it("refuses a port its configuration does not allow, whatever the cloud asks", async () => {
    const { frames, until, send } = relayFor([1]);
    send({ type: "check", stream: 1, port });
    send(get(2, "/"));
    await until((f) => f.length === 2);
    expect(frames[0]!.header).toMatchObject({ type: "checked", allowed: false, reason: expect.stringContaining(`port ${port} is not in this device's tunnelPorts`) });
    expect(frames[1]!.header).toMatchObject({ type: "reset", stream: 2, status: 403 });
  });

  it("forwards a request with its body and streams the answer back", async () => {
    const { frames, until, send } = relayFor([port]);
    send(get(1, "/echo?x=1", "POST"));
    send({ type: "data", stream: 1 }, new TextEncoder().encode("hello"));
    send({ type: "end", stream: 1 });
    await until((f) => f.some((x) => x.header.type === "end"));
    expect(frames.find((f) => f.header.type === "response")!.header).toMatchObject({ status: 200 });
    const body = Buffer.concat(frames.filter((f) => f.header.type === "data").map((f) => f.body)).toString();
    expect(body).toBe("POST /echo?x=1 hello");
    expect(frames.find((f) => f.header.type === "credit")!.header).toMatchObject({ bytes: 5 });
  });

  it("sends no more than the cloud's credit, and goes on as credit is granted", async () => {
    const { frames, until, send } = relayFor([port]);
    send(get(1, "/big"));
    send({ type: "end", stream: 1 });
    await until((f) => dataBytes(f) === INITIAL_WINDOW_BYTES);
    const response = frames.find((f) => f.header.type === "response")!.header;
    expect(response.type === "response" && response.headers.some(([name]) => name.toLowerCase() === "set-cookie")).toBe(false);
    // The local server has sent everything; the relay holds back what the cloud has not granted.
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(dataBytes(frames)).toBe(INITIAL_WINDOW_BYTES);
    for (let granted = INITIAL_WINDOW_BYTES; granted < BIG; granted += INITIAL_WINDOW_BYTES) {
      send({ type: "credit", stream: 1, bytes: INITIAL_WINDOW_BYTES });
      await until((f) => dataBytes(f) === granted + INITIAL_WINDOW_BYTES);
    }
    await until((f) => f.some((x) => x.header.type === "end"));
    expect(dataBytes(frames)).toBe(BIG);
  });

  it("takes late credit for a stream it ended without complaint, but answers stray data with a reset", async () => {
    const { frames, until, send } = relayFor([port]);
    send(get(1, "/small"));
    send({ type: "end", stream: 1 });
    await until((f) => f.some((x) => x.header.type === "end"));
    // The cloud grants credit as its client reads, which may be after the device's end.
    send({ type: "credit", stream: 1, bytes: 100 });
    send({ type: "data", stream: 1 }, new Uint8Array([1]));
    await until((f) => f.some((x) => x.header.type === "reset"));
    expect(frames.filter((f) => f.header.type === "reset")).toHaveLength(1);
  });

  it("resets a stream whose local port has nothing listening", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { frames, until, send } = relayFor([deadPort]);
    send({ ...get(1, "/"), port: deadPort });
    send({ type: "end", stream: 1 });
    await until((f) => f.length > 0);
    expect(frames[0]!.header).toMatchObject({ type: "reset", status: 502, reason: expect.stringContaining("ECONNREFUSED") });
  });

  // Valid HTTP from the tunnel's client that node:http or ws refuse as the stream is built.
  it.each<[string, Partial<PortFrameOf<"open">>]>([
    ["a duplicated WebSocket subprotocol", { websocket: true, headers: [["Sec-WebSocket-Protocol", "chat, chat"]] }],
    ["a WebSocket subprotocol with a /", { websocket: true, headers: [["Sec-WebSocket-Protocol", "graphql/ws"]] }],
    ["a header value holding DEL", { headers: [["x-test", "a\x7fb"]] }],
    ["a path with a space", { path: "/a b" }],
    // node:http's message names the header; the reset's reason must stay within what the cloud accepts.
    ["DEL in the value of a long-named header", { headers: [["x".repeat(600), "\x7f"]] }],
  ])("answers an open with %s as that stream's failure, and serves the next stream", async (_, change) => {
    const { frames, until, send } = relayFor([port]);
    send({ ...get(1, "/"), ...change });
    send(get(2, "/after"));
    send({ type: "end", stream: 2 });
    await until((f) => f.some((x) => x.header.type === "end" && x.header.stream === 2));
    expect(frames.filter((f) => f.header.stream === 1).map((f) => f.header)).toEqual([{ type: "reset", stream: 1, reason: expect.any(String), status: 400 }]);
    const body = Buffer.concat(frames.filter((f) => f.header.type === "data" && f.header.stream === 2).map((f) => f.body)).toString();
    expect(body).toBe("GET /after ");
  });

  it("opens a WebSocket after one whose subprotocols it could not use", async () => {
    const { frames, until, send } = relayFor([port]);
    const ws = (stream: number, protocols: string): PortFrameOf<"open"> => ({ ...get(stream, "/"), websocket: true, headers: [["Sec-WebSocket-Protocol", protocols]] });
    send(ws(1, "chat, chat"));
    send(ws(2, "chat, superchat"));
    await until((f) => f.some((x) => x.header.type === "response"));
    expect(frames.find((f) => f.header.type === "response")!.header).toEqual({ type: "response", stream: 2, status: 101, headers: [["sec-websocket-protocol", "chat"]] });
    send({ type: "data", stream: 2, text: true }, new TextEncoder().encode("hi"));
    await until((f) => f.some((x) => x.header.type === "data" && x.header.stream === 2));
    expect(Buffer.from(frames.find((f) => f.header.type === "data")!.body).toString()).toBe("hi");
    send({ type: "end", stream: 2, code: 1000 });
    await until((f) => f.some((x) => x.header.type === "end"));
  });

  it("holds back a WebSocket's credit while its local server does not read, and grants it again as the server reads", async () => {
    // A local server that accepts the WebSocket, then reads nothing until the test says so.
    let upgraded: (socket: Socket) => void = () => {};
    const accepted = new Promise<Socket>((resolve) => (upgraded = resolve));
    const stalled = createServer();
    stalled.on("upgrade", (request, socket: Socket) => {
      const accept = createHash("sha1").update(`${String(request.headers["sec-websocket-key"])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      socket.pause();
      upgraded(socket);
    });
    await new Promise<void>((resolve) => stalled.listen(0, "127.0.0.1", resolve));
    const stalledPort = (stalled.address() as AddressInfo).port;
    const { relay, frames, until, send } = relayFor([stalledPort]);
    send({ ...get(1, "/"), port: stalledPort, websocket: true });
    await until((f) => f.some((x) => x.header.type === "response"));
    const local = await accepted;
    const granted = () => frames.reduce((sum, f) => sum + (f.header.type === "credit" ? f.header.bytes : 0), INITIAL_WINDOW_BYTES);
    // As the cloud sends: what it was granted, in 1 MiB messages cut into frames. The relay answers each
    // frame at once, so a relay that grants as parts arrive lets it send all of the 64 MiB here.
    const part = new Uint8Array(MAX_CHUNK_BYTES);
    const parts = MAX_WS_MESSAGE_BYTES / MAX_CHUNK_BYTES;
    let sent = 0;
    for (let i = 1; sent + part.length <= granted() && sent < 64 * MAX_WS_MESSAGE_BYTES; i++, sent += part.length) {
      send({ type: "data", stream: 1, ...(i % parts !== 0 && { more: true }) }, part);
    }
    // What the kernel's socket buffers hold, a window, and the message being assembled: far from it.
    expect(sent).toBeLessThan(16 * MAX_WS_MESSAGE_BYTES);
    const held = sent;
    local.on("data", () => undefined);
    local.resume();
    await until(() => granted() > held);
    relay.linkLost();
    local.destroy();
    await new Promise((resolve) => stalled.close(resolve));
  });
});

