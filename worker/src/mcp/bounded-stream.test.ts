import { describe, expect, it } from "vitest";
import { boundedStream } from "./bounded-stream.js";

/** A source the test writes to as a listen stream's SDK would. */
function source() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
    cancel: () => {
      cancelled = true;
    },
  });
  return { stream, write: (bytes: number) => controller.enqueue(new Uint8Array(bytes)), end: () => controller.close(), cancelled: () => cancelled };
}

describe("boundedStream", () => {
  it("passes everything on to a reader that keeps up, however much passes in all", async () => {
    const from = source();
    let overflowed = false;
    const reader = boundedStream(from.stream, 1_000, () => (overflowed = true)).getReader();
    let received = 0;
    for (let i = 0; i < 50; i++) {
      from.write(400);
      received += (await reader.read()).value?.byteLength ?? 0;
    }
    from.end();
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    expect(received).toBe(50 * 400);
    expect(overflowed).toBe(false);
  });

  it("drops a reader that stops reading once the limit is passed: its stream errors and the source is cancelled", async () => {
    const from = source();
    let overflowed!: () => void;
    const overflow = new Promise<void>((resolve) => (overflowed = resolve));
    const reader = boundedStream(from.stream, 1_000, () => overflowed()).getReader();
    for (let i = 0; i < 4; i++) from.write(400);
    await overflow;
    // What waited within the limit may still arrive; then the stream errors.
    let received = 0;
    const drain = async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        received += value.byteLength;
      }
    };
    await expect(drain()).rejects.toThrow(/read nothing while 1000 bytes waited/);
    expect(received).toBeLessThanOrEqual(1_000);
    expect(from.cancelled()).toBe(true);
  });

  it("cancels the source when the reader goes away", async () => {
    const from = source();
    const stream = boundedStream(from.stream, 1_000, () => undefined);
    from.write(10);
    await stream.cancel();
    await expect.poll(from.cancelled).toBe(true);
  });
});
