#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine (npm packages, and Debian
# packages when missing), then runs every test suite and prints one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests and benchmarks use, by the command that shows each is there.
declare -A NEEDED=([sudo]=sudo [sshd]=openssh-server [ssh-keygen]=openssh-client [podman]=podman [runc]=runc [busybox]=busybox-static [chromium]=chromium [strace]=strace [mosquitto]=mosquitto [prometheus]=prometheus [promtool]=prometheus)
bash scripts/install-missing.sh $(for command in "${!NEEDED[@]}"; do echo "$command=${NEEDED[$command]}"; done)

npm ci --no-audit --no-fund --loglevel=error
# The MCP conformance suite and its Node 22, apart from the workspaces (see test/conformance/package.json).
npm ci --prefix test/conformance --no-audit --no-fund --loglevel=error
npm run typecheck
bash infra/check-bundle.sh

rm -rf test-results && mkdir -p test-results
status=0
run() { # name, workspace, vitest args...
  local name=$1 dir=$2
  shift 2
  echo "── $name"
  (cd "$dir" && npx vitest run "$@" --reporter=default --reporter=json --outputFile.json="../test-results/$name.json") || status=1
}
run protocol protocol
run codec worker --config vitest.node.config.ts
run durable-objects worker --config vitest.workers.config.ts
run bridge device-bridge
run fleet-cli fleet-cli
run end-to-end test
echo "── conformance"
node --import tsx scripts/conformance.ts --report test-results/conformance.json || status=1
node scripts/summarize-tests.mjs test-results
exit $status
