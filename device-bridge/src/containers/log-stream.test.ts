import { describe, expect, it } from "vitest";
import { MAX_LINE_BYTES } from "../host/output.js";
import { LogCollector, sinceSeconds } from "./log-stream.js";

/** One frame of the Engine's multiplexed stream: stream byte, three zeros, big-endian length, payload. */
function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function collect(chunks: Buffer[], options = { tty: false, maxBytes: 1_000 }) {
  const collector = new LogCollector(options);
  for (const chunk of chunks) collector.add(chunk);
  return collector.finish();
}

describe("the log stream demultiplexer", () => {
  it("splits frames into lines with their stream and time", () => {
    const stream = Buffer.concat([
      frame(1, "2026-11-23T23:37:57.123456789Z hello\n"),
      frame(2, "2026-11-23T23:37:58.000000001Z oops\n"),
      frame(1, "2026-11-23T23:37:59Z line 2\n"),
    ]);
    expect(collect([stream]).lines).toEqual([
      { stream: "stdout", time: "2026-11-23T23:37:57.123456789Z", text: "hello" },
      { stream: "stderr", time: "2026-11-23T23:37:58.000000001Z", text: "oops" },
      { stream: "stdout", time: "2026-11-23T23:37:59Z", text: "line 2" },
    ]);
  });

  it("reassembles frames cut anywhere, even inside the header, and lines cut across frames", () => {
    const stream = Buffer.concat([frame(1, "first half of a "), frame(2, "error line\n"), frame(1, "line\nsecond ünïcödé line\n")]);
    const expected = collect([stream]).lines;
    for (let size = 1; size <= 9; size++) {
      const chunks = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, i + size));
      expect(collect(chunks).lines).toEqual(expected);
    }
    expect(expected.map((l) => [l.stream, l.text])).toEqual([
      ["stderr", "error line"],
      ["stdout", "first half of a line"],
      ["stdout", "second ünïcödé line"],
    ]);
  });

  it("keeps the newest lines within the byte cap and says it cut", () => {
    const lines = Array.from({ length: 50 }, (_, i) => frame(1, `line ${String(i).padStart(2, "0")}\n`));
    const result = collect(lines, { tty: false, maxBytes: 70 });
    expect(result.truncated).toBe(true);
    expect(result.lines.map((l) => l.text)).toEqual(["line 40", "line 41", "line 42", "line 43", "line 44", "line 45", "line 46", "line 47", "line 48", "line 49"]);
    expect(collect(lines.slice(0, 3)).truncated).toBe(false);
  });

  it("bounds a line that never ends, keeping its head and saying it cut", () => {
    const endless = Array.from({ length: 40 }, () => frame(1, "x".repeat(16 * 1024)));
    const result = collect([...endless, frame(1, "\nafter\n")], { tty: false, maxBytes: 1 << 20 });
    expect(result.lines.map((l) => l.text)).toEqual(["x".repeat(MAX_LINE_BYTES), "after"]);
    expect(result.truncated).toBe(true);
  });

  it("reads a TTY container's stream as plain stdout text", () => {
    const result = collect([Buffer.from("2026-11-23T23:37:57Z a\r\n2026-11-23T23:37:58Z b")], { tty: true, maxBytes: 1_000 });
    expect(result.lines).toEqual([
      { stream: "stdout", time: "2026-11-23T23:37:57Z", text: "a" },
      { stream: "stdout", time: "2026-11-23T23:37:58Z", text: "b" },
    ]);
  });

  it("turns since into the Engine's Unix seconds", () => {
    const now = Date.parse("2026-11-23T12:00:00Z");
    expect(sinceSeconds("15m", now)).toBe(now / 1000 - 900);
    expect(sinceSeconds("2h", now)).toBe(now / 1000 - 7200);
    expect(sinceSeconds("2026-11-23T11:00:00Z", now)).toBe(now / 1000 - 3600);
    expect(sinceSeconds("2026-11-23T13:00:00+02:00", now)).toBe(now / 1000 - 3600);
  });
});
