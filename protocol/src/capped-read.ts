/** What reading needs of a web stream's reader (Node 20 and workerd alike; the protocol compiles without DOM types). */
export interface ByteReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(): Promise<void>;
}

/**
 * Reads a stream to its end, counting as it reads: past `maxBytes` it cancels the stream and
 * answers undefined, so a body that never ends costs at most that much memory. When `until`
 * rejects first (a deadline), the read ends with its reason.
 */
export async function readCapped(reader: ByteReader, maxBytes: number, until?: Promise<never>): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await (until ? Promise.race([reader.read(), until]) : reader.read());
    if (done || value === undefined) break;
    total += value.byteLength;
    if (total > maxBytes) {
      reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return concatBytes(chunks, total);
}

/** The chunks as one array; `total` is their summed length, when the caller has counted it already. */
export function concatBytes(chunks: readonly Uint8Array[], total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0)): Uint8Array {
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
