#!/usr/bin/env bash
# Drive tcp_demo with wrk over loopback.
#   usage: ./load.sh [PORT] [DURATION_S] [CONNECTIONS]
#   defaults: 8080, 10 s (max 120), 50 connections (max 1000); wrk uses 2 threads.
# Prints wrk's report followed by a final machine-readable line "requests/s: N".
set -euo pipefail

usage() {
    sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-2}"
}

[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && usage 0

port="${1:-8080}"
duration="${2:-10}"
connections="${3:-50}"

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }
is_uint "$port" && (( port >= 1 && port <= 65535 )) || { echo "load.sh: invalid port '$port'" >&2; usage; }
is_uint "$duration" && (( duration >= 1 )) || { echo "load.sh: invalid duration '$duration'" >&2; usage; }
is_uint "$connections" && (( connections >= 1 )) || { echo "load.sh: invalid connections '$connections'" >&2; usage; }

# Caps keep an accidental huge value from turning a demo into a stress test.
(( duration > 120 )) && { echo "load.sh: capping duration at 120 s" >&2; duration=120; }
(( connections > 1000 )) && { echo "load.sh: capping connections at 1000" >&2; connections=1000; }
# wrk needs at least one connection per thread.
threads=2
(( connections < threads )) && threads="$connections"

command -v wrk >/dev/null || { echo "load.sh: wrk not found (apt-get install wrk)" >&2; exit 1; }

# Loopback only: this script must never load anything but the local demo.
url="http://127.0.0.1:${port}/"
output="$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$url")"
printf '%s\n' "$output"

rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$output")"
if [[ -z "$rps" ]]; then
    echo "load.sh: could not read Requests/sec from wrk output" >&2
    exit 1
fi
echo "requests/s: $rps"
