/**
 * Passes `body` on while its reader keeps up, holding at most `limitBytes` the reader has not
 * taken yet. Past that the reader is dropped: the stream errors, `body` is cancelled and
 * `onOverflow` runs. What a listen stream writes is never queued without bound for a client
 * that has stopped reading.
 */
export function boundedStream(body: ReadableStream<Uint8Array>, limitBytes: number, onOverflow: () => void): ReadableStream<Uint8Array> {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>(
    undefined,
    new ByteLengthQueuingStrategy({ highWaterMark: limitBytes }),
  );
  const writer = writable.getWriter();
  const reader = body.getReader();
  // The reader went away (the client disconnected): stop reading the source too.
  writer.closed.catch(() => reader.cancel().catch(() => undefined));
  const pump = async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return writer.close();
      if ((writer.desiredSize ?? 0) < value.byteLength) {
        onOverflow();
        await reader.cancel();
        return writer.abort(new Error(`the client read nothing while ${limitBytes} bytes waited`));
      }
      writer.write(value).catch(() => undefined);
    }
  };
  pump().catch(() => writer.abort().catch(() => undefined));
  return readable;
}
