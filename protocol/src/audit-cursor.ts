import { z } from "zod";

/** Where a page of the audit trail ended: the last entry's time and id (ids order rows of the same instant). */
export const AuditPositionSchema = z.object({ at: z.number().int(), id: z.number().int() });
export type AuditPosition = z.infer<typeof AuditPositionSchema>;

const POSITION = /^(\d{1,16})\.(\d{1,16})$/;

/** The opaque `nextCursor` a page of the audit trail ends with. */
export function encodeAuditCursor(position: AuditPosition): string {
  return btoa(`${position.at}.${position.id}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decode(cursor: string): AuditPosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) return undefined;
  let text: string;
  try {
    text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return undefined;
  }
  const match = POSITION.exec(text);
  if (!match) return undefined;
  const [at, id] = [Number(match[1]), Number(match[2])];
  return Number.isSafeInteger(at) && Number.isSafeInteger(id) ? { at, id } : undefined;
}

/** A cursor as the caller sends it back, read into its position; anything this server did not hand out is refused. */
export const AuditCursorSchema = z.string().transform((cursor, ctx): AuditPosition => {
  const position = decode(cursor);
  if (position) return position;
  ctx.addIssue({ code: "custom", message: "not a cursor of this audit trail: pass back the nextCursor of the previous page unchanged" });
  return z.NEVER;
});
