/** The broker answered a publish with a failure reason code (MQTT 5 PUBACK >= 0x80): sending it again will not help. */
export class PublishRefused extends Error {
  constructor(
    readonly reasonCode: number,
    message: string,
  ) {
    super(message);
  }
}
