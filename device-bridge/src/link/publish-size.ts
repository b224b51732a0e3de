/** The size of an MQTT 5 PUBLISH as mqtt.js writes it: no properties, a packet id from QoS 1 on. */
export function publishPacketBytes(topic: string, payloadBytes: number, qos: 0 | 1): number {
  // Topic (two-byte length and UTF-8), packet id, an empty property list (its one-byte length), then the payload.
  const remaining = 2 + Buffer.byteLength(topic) + (qos > 0 ? 2 : 0) + 1 + payloadBytes;
  return 1 + varintBytes(remaining) + remaining;
}

/** Bytes of an MQTT Variable Byte Integer. */
function varintBytes(value: number): number {
  let bytes = 1;
  for (let rest = value >> 7; rest > 0; rest >>= 7) bytes++;
  return bytes;
}
