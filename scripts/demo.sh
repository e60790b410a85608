#!/usr/bin/env bash
# `npm run demo`: set up, build, start the demo io_uring server under wrk load on 127.0.0.1, profile it with
# `perf-lens profile --port`, print the result, write the HTML report and the Profile under .run/demo/, stop
# everything we started (also on Ctrl-C or an error), then say how to see the same in VS Code.
#
# Environment: DEMO_DURATION (seconds recorded, default 10), DEMO_CONNECTIONS (wrk connections, default 50).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/.run/demo"
duration="${DEMO_DURATION:-10}"
connections="${DEMO_CONNECTIONS:-50}"
[[ "$duration" =~ ^[0-9]+$ ]] && ((duration >= 1 && duration <= 60)) || { echo "demo: DEMO_DURATION must be 1..60" >&2; exit 2; }
[[ "$connections" =~ ^[0-9]+$ ]] && ((connections >= 1 && connections <= 1000)) || { echo "demo: DEMO_CONNECTIONS must be 1..1000" >&2; exit 2; }

say() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }

server_pid=""
load_pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  # Only what this script started, by PID.
  for pid in $load_pid $server_pid; do
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  for pid in $load_pid $server_pid; do
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "Set-up (Debian packages and npm modules, skipped when present)"
bash scripts/setup.sh

say "Build (extension, language server, CLI, webview)"
npm run -s build

say "Build the demo server (examples/tcp-demo)"
make -s -C examples/tcp-demo

mkdir -p "$out"
log="$out/server.log"
: >"$log"

# Port 8080 when it is free, otherwise one the kernel picks.
port=8080
if ! node -e 'const s=require("net").createServer();s.once("error",()=>process.exit(1));s.listen(8080,"127.0.0.1",()=>s.close())' 2>/dev/null; then
  echo "demo: 127.0.0.1:8080 is taken; using a free port instead" >&2
  port=0
fi

say "Start the demo server on 127.0.0.1"
examples/tcp-demo/build/tcp_demo --port "$port" --threads 2 >"$log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q 'listening on' "$log" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; echo "demo: the server did not start" >&2; exit 1; }
  sleep 0.1
done
line=$(grep -m1 'listening on' "$log") || { cat "$log" >&2; echo "demo: the server did not say it was listening" >&2; exit 1; }
port=$(sed -E 's/.*127\.0\.0\.1:([0-9]+).*/\1/' <<<"$line")
echo "$line" >&2

say "Load it with wrk (${connections} connections, loopback only)"
# Long enough to cover start-up, the recording and post-processing; stopped as soon as profiling ends.
load_seconds=$((duration + 40))
threads=$((connections < 2 ? connections : 2))
# wrk itself (not load.sh), so the PID we stop is the process that makes the load.
wrk -t"$threads" -c"$connections" -d"${load_seconds}s" "http://127.0.0.1:$port/" >"$out/wrk.log" 2>&1 &
load_pid=$!
sleep 1

say "perf-lens profile --port $port --duration $duration"
set +e
node dist/cli.js profile --port "$port" --duration "$duration" --html "$out/report.html" --json "$out/profile.json"
status=$?
set -e

say "Stop the load and the server"
cleanup_now() {
  for pid in $load_pid $server_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $load_pid $server_pid; do wait "$pid" 2>/dev/null || true; done
  load_pid=""
  server_pid=""
}
cleanup_now
echo "stopped tcp_demo and wrk" >&2

if ((status != 0)); then
  echo "demo: perf-lens profile ended with status $status" >&2
  exit "$status"
fi

say "Done"
cat <<EOF
Report:   $out/report.html   (open it in any browser; it works offline)
Profile:  $out/profile.json  (perf-lens/profile@1)

The same in VS Code:
  npm run package                                  # builds dist/perf-lens.vsix
  code --install-extension dist/perf-lens.vsix
  examples/tcp-demo/build/tcp_demo --port 8080 &   # then: examples/tcp-demo/load.sh 8080 60
  code examples/tcp-demo                           # Perf Lens view → Processes → right-click tcp_demo → Profile this process
Hot functions get CodeLens annotations in examples/tcp-demo/src/executor.cpp, with quick fixes.
EOF

if command -v code >/dev/null 2>&1; then
  say "VS Code is installed: packaging and installing the extension"
  if npm run -s package && code --install-extension dist/perf-lens.vsix; then
    echo "Installed. Open the demo with:  code examples/tcp-demo" >&2
  else
    echo "demo: packaging or installing the extension failed; the commands above do it by hand" >&2
  fi
fi
