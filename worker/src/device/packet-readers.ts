import { MqttErrorCode, MqttProtocolError, type Packet, PacketReader } from "../mqtt/index.js";
import type { Connection } from "./connection.js";
import { MAX_CONNECT_BYTES, MAX_PACKET_BYTES } from "./mqtt-session.js";

/**
 * The start of a packet split across frames that the socket's attachment keeps, should the object
 * hibernate before its rest comes. The attachment holds 2 KiB: the will (MAX_WILL_BYTES of payload, up to
 * twice that once decoded to a string), its topic and the rest of the socket's state leave room for this.
 */
export const MAX_KEPT_PENDING_BYTES = 512;

/** Each socket's packet reassembly; in memory, rebuilt after hibernation from what the attachment kept. */
export class PacketReaders {
  private readonly readers = new Map<WebSocket, PacketReader>();

  /** The packets `chunk` completes; the start of a packet it leaves is kept in the attachment. Throws MqttProtocolError like the reader. */
  read(connection: Connection, chunk: Uint8Array): Packet[] {
    const reader = this.for(connection);
    const packets = reader.push(chunk);
    this.keep(connection, reader);
    return packets;
  }

  forget(ws: WebSocket): void {
    this.readers.delete(ws);
  }

  private for(connection: Connection): PacketReader {
    let reader = this.readers.get(connection.ws);
    if (reader) return reader;
    // After hibernation the reader is rebuilt; the protocol version and a packet's start survive in the attachment.
    const { version, pending } = connection.state;
    if (pending && "unkept" in pending) {
      // Reading on would take the rest of that packet for new packets.
      throw new MqttProtocolError(MqttErrorCode.ProtocolError, `the first ${pending.unkept} bytes of a packet were lost while the tunnel slept`);
    }
    reader = new PacketReader({ maxPacketBytes: MAX_PACKET_BYTES, maxConnectBytes: MAX_CONNECT_BYTES }, { version, pending: pending?.bytes ?? new Uint8Array() });
    this.readers.set(connection.ws, reader);
    return reader;
  }

  private keep(connection: Connection, reader: PacketReader): void {
    const length = reader.pendingLength;
    if (length === 0) {
      if (connection.state.pending) connection.update({ pending: undefined });
      return;
    }
    connection.update({ pending: length <= MAX_KEPT_PENDING_BYTES ? { bytes: reader.snapshot().pending } : { unkept: length } });
  }
}
