#!/usr/bin/env bash
# `npm run bench [-- [--quick] [--write|--no-write] [NAME...]]`: set-up, build, then bench/run.ts.
# The FlameGraph baseline is taken from $FLAMEGRAPH_DIR (a local checkout of brendangregg/FlameGraph);
# without it the Perl rows say "baseline not available".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# A bundle that fails to build is reported by the benchmarks that need it; the others still run.
node esbuild.mjs >/dev/null || echo "bench: npm run build failed for some bundles (see above); continuing" >&2
make -s -C examples/tcp-demo
if [[ -z "${FLAMEGRAPH_DIR:-}" ]]; then
  echo "bench: FLAMEGRAPH_DIR is not set (a local checkout of brendangregg/FlameGraph): the Perl baselines will say 'baseline not available'" >&2
fi
exec node_modules/.bin/tsx bench/run.ts "$@"
