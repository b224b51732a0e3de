const utf8 = new TextEncoder();

export const MAX_VARINT = 268_435_455;

/**
 * Appends MQTT wire types to a growing buffer. Values out of range are a bug
 * in the caller, so they throw RangeError instead of silently wrapping.
 */
export class ByteWriter {
  #buffer = new Uint8Array(64);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  u8(value: number): void {
    checkRange(value, 0xff, "byte");
    this.#reserve(1)[0] = value;
  }

  u16(value: number): void {
    checkRange(value, 0xffff, "two-byte integer");
    this.#reserve(2).set([value >>> 8, value & 0xff]);
  }

  u32(value: number): void {
    checkRange(value, 0xffff_ffff, "four-byte integer");
    this.#reserve(4).set([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
  }

  varint(value: number): void {
    checkRange(value, MAX_VARINT, "variable byte integer");
    do {
      const low = value % 128;
      value = Math.floor(value / 128);
      this.u8(value > 0 ? low | 0x80 : low);
    } while (value > 0);
  }

  /** Length-prefixed UTF-8 string. */
  utf8(text: string): void {
    this.binary(utf8.encode(text));
  }

  /** Length-prefixed binary data. */
  binary(bytes: Uint8Array): void {
    this.u16(bytes.length);
    this.bytes(bytes);
  }

  bytes(bytes: Uint8Array): void {
    this.#reserve(bytes.length).set(bytes);
  }

  finish(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }

  /** Grows by doubling so appends stay amortised O(1); returns the reserved window. */
  #reserve(count: number): Uint8Array {
    const end = this.#length + count;
    if (end > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(end, this.#buffer.length * 2));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    const window = this.#buffer.subarray(this.#length, end);
    this.#length = end;
    return window;
  }
}

function checkRange(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${what} out of range: ${value}`);
  }
}
