export { decodePacket } from "./decode.js";
export { encodePacket } from "./encode.js";
export { MqttErrorCode, MqttProtocolError } from "./errors.js";
export type * from "./packets.js";
export { PacketReader, type PacketReaderOptions, type PacketReaderSnapshot } from "./reader.js";
