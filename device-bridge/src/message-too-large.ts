/**
 * A message the cloud would not take: larger than the most it takes in one message (the Maximum Packet
 * Size of the broker's CONNACK). Thrown by the link before anything is sent, so the message never enters
 * the store that mqtt.js sends again on every reconnect (where the broker would close each connection in turn).
 */
export class MessageTooLarge extends Error {
  constructor(
    readonly topic: string,
    /** The whole PUBLISH packet, as it would go on the wire. */
    readonly packetBytes: number,
    readonly maxPacketBytes: number,
  ) {
    super(`a message of ${packetBytes} bytes on ${topic} is larger than the ${maxPacketBytes} bytes the cloud takes in one message; it was not sent`);
  }
}
