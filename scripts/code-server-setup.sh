#!/usr/bin/env bash
# Installs code-server (a real VS Code in the browser) for the end-to-end tests, into the run folder
# (never $HOME), and caches it there between runs. Prints the path of the code-server launcher.
#
# Three traps on a closed network (see the e2e recipe):
#  1. `kerberos` builds from source: needs libkrb5-dev (scripts/setup.sh installs it);
#  2. @vscode/ripgrep's postinstall downloads rg unless it finds a cached tarball: we build that tarball
#     from the system's rg (Debian's ripgrep) in a private TMPDIR;
#  3. node-pty's postinstall runs `npx node-gyp`, which aborts non-interactively: npm_config_yes=true.
# As root, code-server's postinstall also needs npm_config_unsafe_perm=true.
set -euo pipefail
cd "$(dirname "$0")/.."

CODE_SERVER_VERSION=4.100.3
RIPGREP_PKG_VERSION=1.15.11
RIPGREP_TARBALL=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

cache="$PWD/.run/e2e/cache"
prefix="$cache/code-server-$CODE_SERVER_VERSION"
bin="$prefix/node_modules/.bin/code-server"

if [[ -x "$bin" && -f "$prefix/.complete" ]]; then
  echo "$bin"
  exit 0
fi

rg_path=$(command -v rg || true)
if [[ -z "$rg_path" ]]; then
  echo "code-server-setup: ripgrep (rg) is missing; run: bash scripts/setup.sh" >&2
  exit 1
fi
if [[ ! -e /usr/include/krb5.h ]]; then
  echo "code-server-setup: libkrb5-dev is missing; run: bash scripts/setup.sh" >&2
  exit 1
fi

rm -rf "$prefix"
mkdir -p "$prefix"
tmp="$cache/tmp"
rm -rf "$tmp"
mkdir -p "$tmp/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION" "$tmp/rg-bin"
cp "$rg_path" "$tmp/rg-bin/rg"
tar -C "$tmp/rg-bin" -czf "$tmp/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION/$RIPGREP_TARBALL" rg

echo '{"name":"perf-lens-e2e-code-server","private":true}' >"$prefix/package.json"
echo "code-server-setup: installing code-server@$CODE_SERVER_VERSION into $prefix (about 90 s, ~300 MB)" >&2
start=$(date +%s)
(
  cd "$prefix"
  export TMPDIR="$tmp" npm_config_yes=true npm_config_unsafe_perm=true
  export npm_config_cache="$cache/npm-cache"
  export XDG_CACHE_HOME="$cache/xdg-cache" XDG_CONFIG_HOME="$cache/xdg-config"
  npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2
)
rm -rf "$tmp"
if [[ ! -x "$bin" ]]; then
  echo "code-server-setup: install finished but $bin is missing" >&2
  exit 1
fi
touch "$prefix/.complete"
echo "code-server-setup: installed in $(($(date +%s) - start)) s" >&2
echo "$bin"
