import { describe, expect, it } from "vitest";
import { ReceiveWindow, SendWindow } from "./tunnel-credit.js";
import { decodePortFrame, encodePortFrame, forwardableHeaders, MAX_CHUNK_BYTES, PortFrameError, type PortFrameHeader } from "./tunnel-frame.js";

describe("port tunnel frames", () => {
  it("carry a header and a binary body unchanged", () => {
    const body = new Uint8Array([0, 1, 2, 255, 0x7b]);
    const frame = decodePortFrame(encodePortFrame({ type: "data", stream: 7, text: false }, body));
    expect(frame.header).toEqual({ type: "data", stream: 7, text: false });
    expect([...frame.body]).toEqual([...body]);
    const open: PortFrameHeader = { type: "open", stream: 1, port: 8080, method: "GET", path: "/a?b=c", headers: [["accept", "*/*"]], websocket: false };
    expect(decodePortFrame(encodePortFrame(open)).header).toEqual(open);
  });

  it("refuse what is not a frame, saying why", () => {
    const refused = (payload: Uint8Array) => {
      try {
        decodePortFrame(payload);
      } catch (error) {
        expect(error).toBeInstanceOf(PortFrameError);
        return (error as Error).message;
      }
      throw new Error("accepted");
    };
    expect(refused(new TextEncoder().encode('{"type":"data"}'))).toMatch(/not a version 1/);
    expect(refused(new Uint8Array([1, 0, 50, 123]))).toMatch(/runs past/);
    const credit = encodePortFrame({ type: "credit", stream: 1, bytes: 10 });
    expect(refused(new Uint8Array([...credit, 1, 2]))).toMatch(/credit frame has no body/);
    expect(refused(encodeRaw({ type: "credit", stream: 1, bytes: -5 }))).toMatch(/bad frame header/);
    expect(refused(encodeRaw({ type: "open", stream: 1, port: 70_000, method: "GET", path: "/", headers: [], websocket: false }))).toMatch(/bad frame header/);
    expect(() => encodePortFrame({ type: "data", stream: 1 }, new Uint8Array(MAX_CHUNK_BYTES + 1))).toThrow(PortFrameError);
  });

  it("never forward hop-by-hop headers or cookies", () => {
    const kept = forwardableHeaders([["Connection", "keep-alive"], ["Cookie", "session=s"], ["Accept", "text/html"], ["set-cookie", "a=b"], ["Host", "x"]]);
    expect(kept).toEqual([["Accept", "text/html"]]);
  });
});

function encodeRaw(header: unknown): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  return new Uint8Array([1, json.length >> 8, json.length & 0xff, ...json]);
}

describe("credit", () => {
  it("lets the sender send what was granted and stops it at zero until more is granted", async () => {
    const window = new SendWindow(100);
    expect(window.take(60)).toBe(60);
    expect(window.take(60)).toBe(40);
    expect(window.take(1)).toBe(0);
    let woke = false;
    const waiting = window.wait().then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    window.grant(30);
    await waiting;
    expect(window.take(100)).toBe(30);
  });

  it("releases a waiting sender when the stream closes, with nothing left to send", async () => {
    const window = new SendWindow(0);
    const waiting = window.wait();
    window.close();
    await waiting;
    window.grant(10);
    expect(window.take(10)).toBe(0);
  });

  it("catches a sender that overruns its credit, and grants back what was consumed", () => {
    const window = new ReceiveWindow(100);
    expect(window.arrived(100)).toBe(true);
    expect(window.consumed(40)).toBe(40);
    expect(window.arrived(40)).toBe(true);
    expect(window.arrived(1)).toBe(false);
  });
});
