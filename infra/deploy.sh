#!/usr/bin/env bash
# Deploys the Worker to your Cloudflare account. Needs CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID
# when the token sees several accounts) and PUBLIC_URL, the URL the Worker will answer on.
# ADMIN_TOKEN, the operator secret that creates fleets, is asked for once (or taken from the environment).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CLOUDFLARE_API_TOKEN:?set CLOUDFLARE_API_TOKEN (a token with Workers Scripts, KV, R2 and Durable Objects edit rights)}"
: "${PUBLIC_URL:?set PUBLIC_URL, e.g. https://jetson-fleet.<your-subdomain>.workers.dev}"
wrangler() { npx wrangler "$@" --config infra/wrangler.jsonc; }

npm ci --no-audit --no-fund --loglevel=error

# The OAuth namespace: created once, its id written into the config.
if grep -q REPLACED_BY_DEPLOY_SH infra/wrangler.jsonc; then
  id=$(wrangler kv namespace create OAUTH_KV | grep -oE '[0-9a-f]{32}' | head -n 1)
  sed -i "s/REPLACED_BY_DEPLOY_SH/$id/" infra/wrangler.jsonc
  echo "Created KV namespace OAUTH_KV ($id); commit infra/wrangler.jsonc."
fi

# Bridge releases (RELEASES): the bucket is created once.
if ! wrangler r2 bucket list | grep -q 'jetson-fleet-releases'; then
  wrangler r2 bucket create jetson-fleet-releases
fi

if [ -n "${ADMIN_TOKEN:-}" ]; then
  printf '%s' "$ADMIN_TOKEN" | wrangler secret put ADMIN_TOKEN
elif ! wrangler secret list | grep -q '"ADMIN_TOKEN"'; then
  ADMIN_TOKEN=$(node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))")
  printf '%s' "$ADMIN_TOKEN" | wrangler secret put ADMIN_TOKEN
  echo "Operator secret (ADMIN_TOKEN), shown once: $ADMIN_TOKEN"
fi

# Signs MCP confirmation states (2026-07-28 clients): generated once, never shown; rotating it only voids open confirmations.
if ! wrangler secret list | grep -q '"MCP_STATE_SECRET"'; then
  node -e "process.stdout.write(require('crypto').randomBytes(32).toString('base64url'))" | wrangler secret put MCP_STATE_SECRET
fi

wrangler deploy --var "PUBLIC_URL:$PUBLIC_URL"
echo "Create your fleet:  curl -X POST $PUBLIC_URL/admin/fleets -H 'Authorization: Bearer <ADMIN_TOKEN>' -d '{\"id\":\"my-fleet\"}'"
