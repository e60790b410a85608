#!/usr/bin/env bash
# The README's test command: set-up, build, static checks, then every test layer.
# Each layer prints the Node test runner's summary; the script fails if any layer fails.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
set -e
node esbuild.mjs
make -s -C examples/tcp-demo
npm run -s typecheck
npm run -s lint
set +e
status=0
# The hardening layer's long fault runs (target exits, ssh drops, hung/killed tools, full disk, overload)
# are behind this flag for local runs; the full suite (and CI) always runs them.
export PERF_LENS_LONG_FAULTS=1
for layer in unit integration webview hardening; do
  echo "=== $layer tests"
  npm run -s "test:$layer" || status=1
done
echo "=== e2e tests"
bash scripts/e2e.sh || status=1
exit $status
