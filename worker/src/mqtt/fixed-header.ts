import { ByteCursor } from "./byte-cursor.js";
import { malformed } from "./errors.js";
import type { PacketType } from "./packets.js";

/** Control packet type codes, the high nibble of the first byte. */
export const PACKET_TYPE_CODES = {
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  subscribe: 8,
  suback: 9,
  unsubscribe: 10,
  unsuback: 11,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
} as const satisfies Record<PacketType, number>;

/** Reserved flag bits every packet but PUBLISH must carry exactly (MQTT 5.0 table 2-2). */
export function requiredFlags(type: Exclude<PacketType, "publish">): number {
  return type === "subscribe" || type === "unsubscribe" ? 0b0010 : 0;
}

export interface FixedHeader {
  code: number;
  flags: number;
  /** The first byte plus the remaining-length varint. */
  headerLength: number;
  remainingLength: number;
}

/** Parses the fixed header at the start of `bytes`; undefined while it is still incomplete. */
export function readFixedHeader(bytes: Uint8Array): FixedHeader | undefined {
  const first = bytes[0];
  if (first === undefined) return undefined;
  const lengthBytes = bytes.subarray(1, 5);
  const last = lengthBytes.findIndex((byte) => byte < 0x80);
  if (last === -1) {
    if (lengthBytes.length === 4) throw malformed("remaining length longer than 4 bytes");
    return undefined;
  }
  return {
    code: first >> 4,
    flags: first & 0x0f,
    headerLength: last + 2,
    remainingLength: new ByteCursor(lengthBytes).varint(),
  };
}
