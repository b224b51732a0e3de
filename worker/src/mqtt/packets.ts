import type { Properties } from "./properties.js";

export type { Properties };

/** The protocol level byte of CONNECT: 4 is MQTT 3.1.1, 5 is MQTT 5.0. */
export type ProtocolVersion = 4 | 5;
export type QoS = 0 | 1 | 2;

// `properties` fields are MQTT 5 only: the encoder ignores them for version 4, and the
// decoder leaves them out when the packet carries no properties.

export interface Will {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  properties?: Properties;
}

export interface ConnectPacket {
  type: "connect";
  protocolVersion: ProtocolVersion;
  clientId: string;
  clean: boolean;
  keepalive: number;
  username?: string;
  password?: Uint8Array;
  will?: Will;
  properties?: Properties;
}

export interface ConnackPacket {
  type: "connack";
  sessionPresent: boolean;
  /** The 3.1.1 return code or the 5.0 reason code. */
  reasonCode: number;
  properties?: Properties;
}

export interface PublishPacket {
  type: "publish";
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  /** Present exactly when qos > 0. */
  messageId?: number;
  properties?: Properties;
}

export interface PubackPacket {
  type: "puback";
  messageId: number;
  /** MQTT 5 only; decoded as 0 when the sender omitted it. */
  reasonCode?: number;
  properties?: Properties;
}

export interface Subscription {
  topic: string;
  qos: QoS;
  /** MQTT 5 subscription options: No Local, Retain As Published, Retain Handling. */
  nl?: boolean;
  rap?: boolean;
  rh?: 0 | 1 | 2;
}

export interface SubscribePacket {
  type: "subscribe";
  messageId: number;
  subscriptions: Subscription[];
  properties?: Properties;
}

export interface SubackPacket {
  type: "suback";
  messageId: number;
  /** One reason code (granted QoS or failure) per subscription. */
  granted: number[];
  properties?: Properties;
}

export interface UnsubscribePacket {
  type: "unsubscribe";
  messageId: number;
  /** Topic filters. */
  topics: string[];
  properties?: Properties;
}

export interface UnsubackPacket {
  type: "unsuback";
  messageId: number;
  /** MQTT 5 reason code per topic filter; 3.1.1 has none on the wire, so it decodes as []. */
  reasonCodes: number[];
  properties?: Properties;
}

export interface PingreqPacket {
  type: "pingreq";
}

export interface PingrespPacket {
  type: "pingresp";
}

export interface DisconnectPacket {
  type: "disconnect";
  /** MQTT 5 only; decoded as 0 when the sender omitted it. */
  reasonCode?: number;
  properties?: Properties;
}

export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | PubackPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | PingreqPacket
  | PingrespPacket
  | DisconnectPacket;

export type PacketType = Packet["type"];
