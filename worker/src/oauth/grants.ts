import type { Env } from "../env.js";

/**
 * Ends every OAuth grant an API token approved: the consent page records the
 * approving token's id as the grant's user, so revoking the token revokes them too.
 */
export async function revokeGrantsApprovedBy(env: Env, tokenId: string): Promise<void> {
  const helpers = env.OAUTH_PROVIDER;
  if (!helpers) return;
  let cursor: string | undefined;
  do {
    const page = await helpers.listUserGrants(tokenId, cursor ? { cursor } : undefined);
    for (const grant of page.items) await helpers.revokeGrant(grant.id, tokenId);
    cursor = page.cursor;
  } while (cursor);
}
