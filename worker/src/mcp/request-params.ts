import { isLegacyRequest, specTypeSchemas } from "@modelcontextprotocol/server";
import { z } from "zod";

/**
 * Spec methods whose params the SDK (2.4.0) checks by throwing zod's error, which it answers
 * -32603 "Internal error" with the issues as raw JSON (it answers -32602 for tools/call alone).
 * Their params are checked here first, against the SDK's own schemas.
 */
const PARAMS = {
  "resources/read": specTypeSchemas.ReadResourceRequestParams,
  "resources/list": specTypeSchemas.PaginatedRequestParams,
  "resources/templates/list": specTypeSchemas.PaginatedRequestParams,
  "prompts/get": specTypeSchemas.GetPromptRequestParams,
  "prompts/list": specTypeSchemas.PaginatedRequestParams,
  "tools/list": specTypeSchemas.PaginatedRequestParams,
  "completion/complete": specTypeSchemas.CompleteRequestParams,
  "logging/setLevel": specTypeSchemas.SetLevelRequestParams,
} as const;
type CheckedMethod = keyof typeof PARAMS;

/** 2026-07-28 has no logging/setLevel: the SDK answers it "Method not found", whatever its params. */
const LEGACY_ONLY: ReadonlySet<CheckedMethod> = new Set(["logging/setLevel"]);

const isChecked = (method: string): method is CheckedMethod => Object.hasOwn(PARAMS, method);

const RequestSchema = z.object({ jsonrpc: z.literal("2.0"), id: z.union([z.string(), z.number()]), method: z.string(), params: z.unknown() });

/** Where and what, as the SDK says it for the params it checks itself: `arguments.device: Invalid input: …`. */
function issueText(issue: { message: string; path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> | undefined }): string {
  const path = (issue.path ?? []).map((segment) => String(typeof segment === "object" ? segment.key : segment)).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** The -32602 answer for a request to one of these methods whose params do not fit it; undefined for any other message. */
export async function invalidParams(request: Request, message: unknown): Promise<{ id: string | number; message: string } | undefined> {
  const parsed = RequestSchema.safeParse(message);
  if (!parsed.success || !isChecked(parsed.data.method)) return undefined;
  const { id, method, params } = parsed.data;
  if (LEGACY_ONLY.has(method) && !(await isLegacyRequest(request, message))) return undefined;
  const { issues } = PARAMS[method]["~standard"].validate(params ?? {});
  return issues ? { id, message: `Invalid params for ${method}: ${issues.map(issueText).join(", ")}` } : undefined;
}
