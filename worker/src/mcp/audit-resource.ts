import { AuditQuerySchema } from "@jetson/protocol";
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/server";
import { ProtocolError, ProtocolErrorCode, type ReadResourceResult } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Fleet } from "../fleet.js";
import { refusingAsInvalid } from "./resources.js";

const AUDIT_URI = "jetson://audit";
const META = {
  title: "Audit log",
  description:
    "Every command run or refused in this fleet, newest first: who, which device, which action, outcome, duration. Filter with ?device=, ?caller=, ?action=, ?outcome=, ?from=, ?to= (epoch ms) and ?limit=, in any combination; when more entries match, the answer's nextCursor read as ?cursor= gives the next page.",
  mimeType: "application/json",
};

async function readAudit(uri: URL, fleet: Fleet): Promise<ReadResourceResult> {
  const query = AuditQuerySchema.safeParse(Object.fromEntries(uri.searchParams));
  if (!query.success) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid audit query: ${z.prettifyError(query.error)}`);
  const page = await refusingAsInvalid(() => fleet.audit(query.data));
  return { contents: [{ uri: uri.href, mimeType: META.mimeType, text: JSON.stringify(page) }] };
}

/**
 * The fleet's audit trail as a resource: `jetson://audit` for the latest entries, with a
 * query string to filter. The SDK matches `{?a,b}` templates only when every variable is
 * present in order, so the plain URI is a resource of its own and any query string matches
 * one catch-all template; the query is read from the URI itself.
 */
export function registerAuditResource(server: McpServer, fleet: Fleet): void {
  server.registerResource("audit", AUDIT_URI, META, (uri) => readAudit(uri, fleet));
  server.registerResource("audit-filtered", new ResourceTemplate(`${AUDIT_URI}?{+filter}`, { list: undefined }), META, (uri) => readAudit(uri, fleet));
}
