#!/usr/bin/env bash
# Installs the offline "real VS Code" for the integration and UI tests: code-server 4.100.3 (= VS Code 1.100.3, the
# last release on Node 20) and playwright-core, driving Debian's Chromium. Idempotent; npm registry + apt only.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
need=(); for p in chromium ripgrep libkrb5-dev pkg-config g++ make python3; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if ((${#need[@]})); then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ ! -x node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg ]; then
  # @vscode/ripgrep's postinstall downloads rg from GitHub, which is unreachable: seed its download cache
  # ($TMPDIR/vscode-ripgrep-cache-<pkgver>/ripgrep-<tag>-<target>.tar.gz) with Debian's rg.
  seed="$(mktemp -d)"; trap 'rm -rf "$seed"' EXIT
  mkdir -p "$seed/vscode-ripgrep-cache-1.15.11" "$seed/rg" && cp "$(command -v rg)" "$seed/rg/rg"   # 1.15.11: pinned by code-server 4.100.3
  tar czf "$seed/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$seed/rg" rg
  # .npmrc here: unsafe-perm (code-server's postinstall refuses root otherwise) and yes=true (node-pty runs npx node-gyp).
  TMPDIR="$seed" npm ci --no-audit --no-fund --foreground-scripts > install.log 2>&1 \
    || { tail -50 install.log; exit 1; }
fi
x="$(mktemp -d)"; XDG_DATA_HOME="$x" node node_modules/code-server/out/node/entry --version --config /dev/null; rm -rf "$x"
