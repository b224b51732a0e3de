import { decodePacket } from "./decode.js";
import { MqttErrorCode, MqttProtocolError, protocolError } from "./errors.js";
import { PACKET_TYPE_CODES, readFixedHeader } from "./fixed-header.js";
import type { Packet, ProtocolVersion } from "./packets.js";

export interface PacketReaderOptions {
  /** Largest whole packet (fixed header included) to accept, like MQTT 5's Maximum Packet Size. */
  maxPacketBytes: number;
  /** Largest CONNECT: until it arrives the peer is a stranger, so little of its input is held (default maxPacketBytes). */
  maxConnectBytes?: number;
}

/** Everything a reader needs to resume after its Durable Object was evicted between frames. */
export interface PacketReaderSnapshot {
  /** Learnt from CONNECT; undefined until it arrived. */
  version: ProtocolVersion | undefined;
  /** The start of a packet whose remaining bytes have not arrived yet. */
  pending: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/**
 * Cuts a WebSocket byte stream into MQTT packets: a packet may span frames and a
 * frame may hold several. Throws MqttProtocolError on bad input, after which the
 * connection must be closed (packets earlier in the same push are lost with it).
 */
export class PacketReader {
  readonly #maxPacketBytes: number;
  readonly #maxConnectBytes: number;
  #version: ProtocolVersion | undefined;
  /** Unconsumed bytes are #buffer[0, #length); it grows by doubling so a packet arriving in tiny frames costs O(n). */
  #buffer = EMPTY;
  #length = 0;

  constructor(options: PacketReaderOptions, snapshot?: PacketReaderSnapshot) {
    this.#maxPacketBytes = options.maxPacketBytes;
    this.#maxConnectBytes = options.maxConnectBytes ?? options.maxPacketBytes;
    this.#version = snapshot?.version;
    if (snapshot) this.#append(snapshot.pending);
  }

  /** Returns every packet completed by `chunk`, in order. */
  push(chunk: Uint8Array): Packet[] {
    this.#append(chunk);
    const packets: Packet[] = [];
    let offset = 0;
    for (;;) {
      const rest = this.#buffer.subarray(offset, this.#length);
      const size = this.#completePacketSize(rest);
      if (size === undefined) break;
      const packet = decodePacket(rest.subarray(0, size), this.#version);
      if (packet.type === "connect") this.#version = packet.protocolVersion;
      packets.push(packet);
      offset += size;
    }
    this.#consume(offset);
    return packets;
  }

  /** How many bytes of an unfinished packet it holds: what snapshot() would copy. */
  get pendingLength(): number {
    return this.#length;
  }

  snapshot(): PacketReaderSnapshot {
    return { version: this.#version, pending: this.#buffer.slice(0, this.#length) };
  }

  /** The size of the packet at the start of `bytes` once all of it is there; checks what it can as early as it can. */
  #completePacketSize(bytes: Uint8Array): number | undefined {
    const first = bytes[0];
    if (first === undefined) return undefined;
    const isConnect = first >> 4 === PACKET_TYPE_CODES.connect;
    if (this.#version === undefined && !isConnect) throw protocolError("the first packet must be CONNECT");
    if (this.#version !== undefined && isConnect) throw protocolError("second CONNECT");
    const header = readFixedHeader(bytes);
    if (header === undefined) return undefined;
    const size = header.headerLength + header.remainingLength;
    const max = isConnect ? this.#maxConnectBytes : this.#maxPacketBytes;
    if (size > max) throw new MqttProtocolError(MqttErrorCode.PacketTooLarge, `packet of ${size} bytes exceeds ${max}`);
    return size <= bytes.length ? size : undefined;
  }

  #append(chunk: Uint8Array): void {
    const length = this.#length + chunk.length;
    if (length > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(length, this.#buffer.length * 2));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    this.#buffer.set(chunk, this.#length);
    this.#length = length;
  }

  #consume(count: number): void {
    this.#length -= count;
    // Drop the buffer between packets so one large frame does not pin its memory.
    if (this.#length === 0) this.#buffer = EMPTY;
    else this.#buffer.copyWithin(0, count, count + this.#length);
  }
}
