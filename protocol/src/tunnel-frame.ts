import { z } from "zod";

/**
 * The port tunnel's frames: one per MQTT PUBLISH on the device's `port-down` (cloud to device) and
 * `port-up` (device to cloud) channels, at QoS 0. Both channels ride the device's one WebSocket, so
 * frames arrive in the order they were sent and none is lost while the link lives; when it drops,
 * every stream on it ends (a frame resent on another link would only confuse a fresh stream), which
 * is why QoS 1 and its resending store are not used.
 *
 * A frame is the byte FRAME_VERSION, the header's length (2 bytes, big-endian), the header as JSON,
 * then the body (raw bytes of a `data` frame; empty otherwise).
 */
export const FRAME_VERSION = 1;

/** A data frame's body never exceeds this: well under the link's 1 MiB packet limit. */
export const MAX_CHUNK_BYTES = 64 * 1024;
/** What each side may send on a stream before the other grants more (the credit each starts with). */
export const INITIAL_WINDOW_BYTES = 256 * 1024;
/** A forwarded request's or response's headers, names and values together, at most. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** A WebSocket message is reassembled before it is delivered, so it is capped. */
export const MAX_WS_MESSAGE_BYTES = 1024 * 1024;
/** A forwarded request's path and query, and its header fields, at most. */
export const MAX_PATH_CHARS = 8192;
export const MAX_HEADER_FIELDS = 200;

const StreamIdSchema = z.number().int().min(1).max(0xffff_ffff);
const PortSchema = z.number().int().min(1).max(65_535);
const HeadersSchema = z.array(z.tuple([z.string(), z.string()])).max(MAX_HEADER_FIELDS);

export const PortFrameHeaderSchema = z.discriminatedUnion("type", [
  /** Cloud asks whether the device's configuration allows a port (before a tunnel opens); `stream` pairs the answer. */
  z.object({ type: z.literal("check"), stream: StreamIdSchema, port: PortSchema }),
  z.object({ type: z.literal("checked"), stream: StreamIdSchema, allowed: z.boolean(), reason: z.string().max(500).optional() }),
  /** Cloud opens a stream: an HTTP request, or a WebSocket when `websocket`. Its body follows as data frames, then `end`. */
  z.object({
    type: z.literal("open"),
    stream: StreamIdSchema,
    port: PortSchema,
    method: z.string().regex(/^[A-Z]{1,16}$/),
    path: z.string().startsWith("/").max(MAX_PATH_CHARS),
    headers: HeadersSchema,
    websocket: z.boolean(),
  }),
  /** Device answers an open: the local server's status and headers (101 for an accepted WebSocket). */
  z.object({ type: z.literal("response"), stream: StreamIdSchema, status: z.number().int().min(100).max(599), headers: HeadersSchema }),
  /** Body bytes, or part of a WebSocket message (`text` for a text message; `more` when the message goes on in the next frame). */
  z.object({ type: z.literal("data"), stream: StreamIdSchema, text: z.boolean().optional(), more: z.boolean().optional() }),
  /** The receiver consumed this many bytes: the sender may send that many more. */
  z.object({ type: z.literal("credit"), stream: StreamIdSchema, bytes: z.number().int().positive() }),
  /** The sender has no more to send (a WebSocket's close, with its code and reason). */
  z.object({ type: z.literal("end"), stream: StreamIdSchema, code: z.number().int().optional(), reason: z.string().max(123).optional() }),
  /** The stream is over, both ways; before a response, `status` says what the client should see. */
  z.object({ type: z.literal("reset"), stream: StreamIdSchema, reason: z.string().max(500), status: z.number().int().min(400).max(599).optional() }),
]);
export type PortFrameHeader = z.infer<typeof PortFrameHeaderSchema>;
export type PortFrameType = PortFrameHeader["type"];
export type PortFrameOf<T extends PortFrameType> = Extract<PortFrameHeader, { type: T }>;

export interface PortFrame {
  header: PortFrameHeader;
  body: Uint8Array;
}

export class PortFrameError extends Error {}

const EMPTY = new Uint8Array(0);
const MAX_ENCODED_HEADER = 0xffff;

export function encodePortFrame(header: PortFrameHeader, body: Uint8Array = EMPTY): Uint8Array {
  if (body.length > MAX_CHUNK_BYTES) throw new PortFrameError(`a frame body holds at most ${MAX_CHUNK_BYTES} bytes`);
  const json = new TextEncoder().encode(JSON.stringify(header));
  if (json.length > MAX_ENCODED_HEADER) throw new PortFrameError("frame header too large");
  const frame = new Uint8Array(3 + json.length + body.length);
  frame[0] = FRAME_VERSION;
  frame[1] = json.length >> 8;
  frame[2] = json.length & 0xff;
  frame.set(json, 3);
  frame.set(body, 3 + json.length);
  return frame;
}

/** Reads a frame; throws PortFrameError, saying why, for anything else. The body is a view of `payload`. */
export function decodePortFrame(payload: Uint8Array): PortFrame {
  if (payload.length < 3 || payload[0] !== FRAME_VERSION) throw new PortFrameError(`not a version ${FRAME_VERSION} port frame`);
  const length = (payload[1]! << 8) | payload[2]!;
  if (3 + length > payload.length) throw new PortFrameError("frame header runs past the payload");
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(payload.subarray(3, 3 + length)));
  } catch {
    throw new PortFrameError("frame header is not JSON");
  }
  const parsed = PortFrameHeaderSchema.safeParse(json);
  if (!parsed.success) throw new PortFrameError(`bad frame header: ${z.prettifyError(parsed.error)}`);
  const body = payload.subarray(3 + length);
  if (body.length > MAX_CHUNK_BYTES) throw new PortFrameError(`a frame body holds at most ${MAX_CHUNK_BYTES} bytes`);
  if (body.length > 0 && parsed.data.type !== "data") throw new PortFrameError(`a ${parsed.data.type} frame has no body`);
  return { header: parsed.data, body };
}

/** Bytes of a header list as the cap counts them. */
export function headerBytes(headers: ReadonlyArray<readonly [string, string]>): number {
  return headers.reduce((sum, [name, value]) => sum + name.length + value.length, 0);
}

/**
 * Hop-by-hop headers (RFC 9110 7.6.1) and those each side sets itself: never forwarded.
 * Cookies are dropped both ways: the tunnel shares the Worker's origin with the dashboard's session.
 * What a response may carry to the client is decided by the Worker alone, by its own allow-list
 * (worker/src/tunnel/tunnel-headers.ts): a device's bridge is not trusted with that.
 */
const NOT_FORWARDED = new Set([
  "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "host",
  "cookie", "set-cookie", "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-accept",
]);

export function forwardableHeaders(headers: Iterable<readonly [string, string]>): Array<[string, string]> {
  return [...headers].filter(([name]) => !NOT_FORWARDED.has(name.toLowerCase())).map(([name, value]) => [name, value]);
}

/** Codes a WebSocket close frame may carry (RFC 6455 7.4): 1005, 1006 and 1015 are only reported, never sent. */
export function sendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}
