import type { ClientRegistrationCallbackOptions, ClientRegistrationCallbackResult } from "@cloudflare/workers-oauth-provider";
import { ClientDescriptionSchema, issuesOf } from "./client-metadata-document.js";

/** A registration may leave its name out (RFC 7591); what it does give is bounded as a metadata document's. */
const RegisteredClientSchema = ClientDescriptionSchema.partial({ client_name: true });

/**
 * Anyone may register a client, and it is kept for months: one is taken only within the bounds a
 * metadata document is held to (its body no larger than a document, at the registration endpoint).
 */
export function refuseUnboundedClient({ clientMetadata }: ClientRegistrationCallbackOptions): ClientRegistrationCallbackResult | undefined {
  const parsed = RegisteredClientSchema.safeParse(clientMetadata);
  return parsed.success ? undefined : { description: `The client metadata is not acceptable: ${issuesOf(parsed.error)}.` };
}
