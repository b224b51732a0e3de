#!/usr/bin/env bash
# Builds the production bundle offline (wrangler deploy --dry-run) and the bridge's single file, and states their sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
WRANGLER_SEND_METRICS=false npx wrangler deploy --dry-run --outdir "$out" --config infra/wrangler.jsonc >"$out/log" 2>&1 || { cat "$out/log"; exit 1; }
bytes=$(stat -c %s "$out/index.js")
gzipped=$(gzip -c "$out/index.js" | wc -c)
echo "Worker bundle: $((bytes / 1024)) KiB, $((gzipped / 1024)) KiB gzipped (free plan limit 3 MiB gzipped)"
rm -rf "$out"
npm run build -w @jetson/device-bridge >/dev/null
echo "Bridge single file: $(($(stat -c %s device-bridge/dist/jetson-bridge.mjs) / 1024)) KiB"
