#!/usr/bin/env bash
# Installs from Debian the packages whose command is missing; each argument is COMMAND=PACKAGE.
set -euo pipefail
missing=()
for pair in "$@"; do
  command=${pair%%=*}
  [ -x "/usr/sbin/$command" ] || command -v "$command" >/dev/null 2>&1 || missing+=("${pair#*=}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
