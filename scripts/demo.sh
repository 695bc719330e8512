#!/usr/bin/env bash
# One command on a fresh machine: set everything up, then run the action on example/ (the Spring Boot app) against the local registry.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup
[ -f dist/main/index.js ] || npm run -s build
node_modules/.bin/node scripts/demo.ts
