import { malformed } from "./errors.js";

// fatal: bad UTF-8 must be rejected, not replaced; ignoreBOM: MQTT forbids stripping a leading U+FEFF.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Reads MQTT wire types from a packet body. Every read is bounds-checked first,
 * so truncated input surfaces as a malformed-packet error, never a RangeError.
 */
export class ByteCursor {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #pos = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.#bytes.length - this.#pos;
  }

  u8(): number {
    return this.#view.getUint8(this.#take(1));
  }

  u16(): number {
    return this.#view.getUint16(this.#take(2));
  }

  u32(): number {
    return this.#view.getUint32(this.#take(4));
  }

  varint(): number {
    let value = 0;
    for (let i = 0; i < 4; i++) {
      const byte = this.u8();
      value += (byte & 0x7f) * 128 ** i;
      if ((byte & 0x80) === 0) return value;
    }
    throw malformed("variable byte integer longer than 4 bytes");
  }

  /** Length-prefixed UTF-8 string. */
  utf8(): string {
    const bytes = this.#bytes.subarray(...this.#range(this.u16()));
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      throw malformed("invalid UTF-8 string");
    }
    if (text.includes("\0")) throw malformed("UTF-8 string contains U+0000");
    return text;
  }

  /** Length-prefixed binary data, copied so it outlives the input buffer. */
  binary(): Uint8Array {
    return this.bytes(this.u16());
  }

  bytes(length: number): Uint8Array {
    return this.#bytes.slice(...this.#range(length));
  }

  /** A cursor over the next `length` bytes, which this cursor skips. */
  sub(length: number): ByteCursor {
    return new ByteCursor(this.#bytes.subarray(...this.#range(length)));
  }

  /** Trailing bytes after the last field mean the lengths disagree. */
  end(): void {
    if (this.remaining !== 0) throw malformed(`${this.remaining} bytes left after the last field`);
  }

  #range(length: number): [number, number] {
    const start = this.#take(length);
    return [start, start + length];
  }

  #take(length: number): number {
    if (length > this.remaining) throw malformed("field runs past the end of the packet");
    const start = this.#pos;
    this.#pos += length;
    return start;
  }
}
