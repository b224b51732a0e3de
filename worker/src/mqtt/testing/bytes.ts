/** Bytes from hex pairs separated by spaces, so wire layouts read as in the spec. */
export function hex(pairs: string): Uint8Array {
  return Uint8Array.from(pairs.split(/\s+/).filter(Boolean), (pair) => Number.parseInt(pair, 16));
}

export const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((length, chunk) => length + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
