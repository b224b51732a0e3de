import type { DeviceListQuery, DeviceStatus } from "@jetson/protocol";
import { parseSelector, type Selector, SelectorError } from "../fleet-ops/selector.js";

/** A list query's filters, the selector parsed: plain data, so it crosses RPC. */
export interface DeviceFilter {
  status?: DeviceStatus;
  alerts?: boolean;
  selector?: Selector;
  text?: string;
}

/** What the registry is asked for: the filters, where the previous page ended, and how many devices. */
export interface DevicePageRequest {
  filter: DeviceFilter;
  after?: string;
  limit: number;
}

/** The filters in canonical form: a cursor is valid only with the filters that made it. */
export function filterKey(filter: DeviceFilter): string {
  return JSON.stringify([filter.status ?? null, filter.alerts ?? null, filter.selector?.text ?? null, filter.text?.toLowerCase() ?? null]);
}

/** FNV-1a: a cursor carries a fingerprint of its filters, not the filters themselves (a selector may be 500 characters). */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(36);
}

const toBase64Url = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function fromBase64Url(text: string): string | undefined {
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/** Opaque to callers: the last id of a page and its filters' fingerprint. */
export function encodeCursor(after: string, key: string): string {
  return toBase64Url(JSON.stringify({ a: after, f: fingerprint(key) }));
}

function decodeCursor(cursor: string, key: string): { ok: true; after: string } | { ok: false; message: string } {
  const text = fromBase64Url(cursor);
  let decoded: unknown;
  try {
    decoded = text === undefined ? undefined : JSON.parse(text);
  } catch {}
  if (!decoded || typeof decoded !== "object" || !("a" in decoded) || typeof decoded.a !== "string" || !("f" in decoded)) {
    return { ok: false, message: "This cursor is not one a device list gave; start again without a cursor." };
  }
  if (decoded.f !== fingerprint(key)) {
    return { ok: false, message: "This cursor belongs to a list with other filters; ask with the same filters, or start again without a cursor." };
  }
  return { ok: true, after: decoded.a };
}

/** A list query as the registry takes it, or why it cannot be answered (a bad selector or cursor). */
export function pageRequest(query: DeviceListQuery): { ok: true; request: DevicePageRequest } | { ok: false; message: string } {
  let selector: Selector | undefined;
  try {
    selector = query.selector === undefined ? undefined : parseSelector(query.selector);
  } catch (error) {
    if (error instanceof SelectorError) return { ok: false, message: error.message };
    throw error;
  }
  const filter: DeviceFilter = {
    ...(query.status !== undefined && { status: query.status }),
    ...(query.alerts !== undefined && { alerts: query.alerts }),
    ...(selector !== undefined && { selector }),
    ...(query.text !== undefined && { text: query.text }),
  };
  if (query.cursor === undefined) return { ok: true, request: { filter, limit: query.limit } };
  const cursor = decodeCursor(query.cursor, filterKey(filter));
  return cursor.ok ? { ok: true, request: { filter, after: cursor.after, limit: query.limit } } : cursor;
}
