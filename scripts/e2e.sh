#!/usr/bin/env bash
# End-to-end tests in a real VS Code: code-server 4.100.3 (VS Code 1.100.3) in Debian's headless
# chromium driven by playwright-core, with the packaged .vsix installed. Does all of its own set-up; every
# file it makes is under .run/e2e/ (code-server is cached there between runs). Screenshots of each step
# go to .run/e2e/run/artifacts/; with --publish the best ones are also copied to docs/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

export E2E_PUBLISH=0
for arg in "$@"; do
  case "$arg" in
    --publish) E2E_PUBLISH=1 ;;
    *) echo "usage: scripts/e2e.sh [--publish]" >&2; exit 2 ;;
  esac
done

bash scripts/setup.sh
code_server=$(bash scripts/code-server-setup.sh)
make -s -C examples/tcp-demo

echo "e2e: packaging the extension" >&2
npm run -s package >/dev/null
vsix="$PWD/dist/perf-lens.vsix"
echo "e2e: $(du -k "$vsix" | cut -f1) KiB $vsix" >&2

chromium_bin=/usr/lib/chromium/chromium
[[ -x $chromium_bin ]] || chromium_bin=$(command -v chromium)

run_dir="$PWD/.run/e2e/run"
rm -rf "$run_dir"
mkdir -p "$run_dir/artifacts"
# Keep the last run's screenshots for a look after a failure; the run folder is replaced each time.
export E2E_CODE_SERVER="$code_server" E2E_VSIX="$vsix" E2E_RUN_DIR="$run_dir" E2E_CHROMIUM="$chromium_bin"
status=0
node scripts/run-tests.mjs test/e2e --test-concurrency=1 || status=$?
echo "e2e: screenshots in $run_dir/artifacts" >&2
exit $status
