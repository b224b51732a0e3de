import { PacketReader } from "../mqtt/index.js";
import type { Connection } from "./connection.js";
import { MAX_CONNECT_BYTES, MAX_PACKET_BYTES } from "./mqtt-session.js";

/** Each socket's packet reassembly; in memory, rebuilt after hibernation. */
export class PacketReaders {
  private readonly readers = new Map<WebSocket, PacketReader>();

  for(connection: Connection): PacketReader {
    let reader = this.readers.get(connection.ws);
    if (!reader) {
      // After hibernation the reader is rebuilt; the protocol version survives in the attachment.
      reader = new PacketReader({ maxPacketBytes: MAX_PACKET_BYTES, maxConnectBytes: MAX_CONNECT_BYTES }, { version: connection.state.version, pending: new Uint8Array() });
      this.readers.set(connection.ws, reader);
    }
    return reader;
  }

  forget(ws: WebSocket): void {
    this.readers.delete(ws);
  }
}
