#!/usr/bin/env bash
# Set-up for the demo and the tests: Debian packages (installed with apt when root, otherwise the exact
# command is printed) and npm packages (npm ci when node_modules is missing or older than the lock file).
# Fast when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# command-or-file → Debian package
checks=(
  "perf:linux-perf"
  "pidstat:sysstat"
  "mpstat:sysstat"
  "strace:strace"
  "ss:iproute2"
  "nstat:iproute2"
  "ethtool:ethtool"
  "g++:g++"
  "make:make"
  "wrk:wrk"
  "sshd:/usr/sbin/sshd:openssh-server"
  "ssh:openssh-client"
  "ssh-keygen:openssh-client"
  "pgrep:procps"
  "sudo:sudo"
  "chromium:/usr/bin/chromium:chromium"
  "liburing:/usr/include/liburing.h:liburing-dev"
  "pkg-config:pkg-config"
  "rg:ripgrep"
  "krb5:/usr/include/krb5.h:libkrb5-dev"
  "fonts:/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:fonts-dejavu-core"
  # The CodeLens title starts with 🔥: without a colour emoji font the e2e screenshots show a box.
  "emoji:/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf:fonts-noto-color-emoji"
)
missing=()
for entry in "${checks[@]}"; do
  IFS=: read -r name a b <<<"$entry"
  if [[ -n "$b" ]]; then path=$a pkg=$b; else path="" pkg=$a; fi
  if [[ -n "$path" ]]; then
    [[ -e "$path" ]] || missing+=("$pkg")
  else
    command -v "$name" >/dev/null 2>&1 || missing+=("$pkg")
  fi
done
# perf on Debian is a wrapper that needs the versioned binary; check it really runs.
if command -v perf >/dev/null 2>&1 && ! perf --version >/dev/null 2>&1; then missing+=("linux-perf"); fi

if ((${#missing[@]} > 0)); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  cmd="apt-get install -y ${missing[*]}"
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "perf-lens setup: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q "${missing[@]}" >/dev/null
  else
    echo "perf-lens setup: missing system packages: ${missing[*]}" >&2
    echo "Install them with:  sudo $cmd" >&2
    echo "(Debian/Ubuntu package names; on Fedora: linux-perf → perf, sysstat, strace, liburing-devel, wrk, openssh-server, chromium)" >&2
    exit 1
  fi
fi

# npm packages: reinstall when node_modules is missing or older than the lock file.
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "perf-lens setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
