#!/usr/bin/env bash
# `npm run bench [-- [--quick] [--write|--no-write] [NAME...]]`: set-up, build, then bench/run.ts.
# The FlameGraph baseline is taken from $FLAMEGRAPH_DIR (a local checkout of brendangregg/FlameGraph);
# without it the Perl rows say "baseline not available".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node esbuild.mjs
make -s -C examples/tcp-demo
exec node_modules/.bin/tsx bench/run.ts "$@"
