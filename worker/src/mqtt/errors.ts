/** The MQTT 5 reason codes a codec failure maps to; a v3.1.1 server just closes the connection. */
export const MqttErrorCode = {
  MalformedPacket: 0x81,
  ProtocolError: 0x82,
  UnsupportedProtocolVersion: 0x84,
  PacketTooLarge: 0x95,
} as const;

export type MqttErrorCode = (typeof MqttErrorCode)[keyof typeof MqttErrorCode];

/** The only error the decoder and PacketReader throw for bad input, so callers can answer with one DISCONNECT. */
export class MqttProtocolError extends Error {
  override readonly name = "MqttProtocolError";

  constructor(
    readonly reasonCode: MqttErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function malformed(message: string): MqttProtocolError {
  return new MqttProtocolError(MqttErrorCode.MalformedPacket, message);
}

export function protocolError(message: string): MqttProtocolError {
  return new MqttProtocolError(MqttErrorCode.ProtocolError, message);
}
