#!/usr/bin/env bash
# Makes a Go >= GO_MIN available for `go install` of actionlint: the go on the PATH (or /usr/local/go) when new enough,
# else the official toolchain module golang.org/toolchain@v0.0.1-go<GO_VERSION>.<os>-<arch> from the Go module proxy,
# unpacked into .cache/go-toolchain (module zips do not keep file modes: the executables are marked again).
set -euo pipefail
cd "$(dirname "$0")/.."
GO_MIN=1.25
GO_VERSION=1.25.5
dest=.cache/go-toolchain

new_enough() { # $1: a go binary
  local v; v=$("$1" env GOVERSION 2>/dev/null | sed 's/^go//') || return 1
  [ -n "$v" ] && [ "$(printf '%s\n%s\n' "$GO_MIN" "$v" | sort -V | head -1)" = "$GO_MIN" ]
}
for go in "$(command -v go || true)" /usr/local/go/bin/go "$dest/bin/go"; do
  if [ -n "$go" ] && [ -x "$go" ] && new_enough "$go"; then echo "setup-go: $go ($("$go" env GOVERSION))"; exit 0; fi
done

case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; *) echo "setup-go: unsupported CPU $(uname -m)" >&2; exit 1 ;; esac
os=$(uname -s | tr '[:upper:]' '[:lower:]')
module="v0.0.1-go$GO_VERSION.$os-$arch"
proxy=${GOPROXY:-https://proxy.golang.org}; proxy=${proxy%%,*}
echo "setup-go: fetching golang.org/toolchain@$module from $proxy"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
curl -fsSL --retry 3 -o "$tmp/go.zip" "$proxy/golang.org/toolchain/@v/$module.zip"
python3 -m zipfile -e "$tmp/go.zip" "$tmp/x"
rm -rf "$dest"; mkdir -p "$(dirname "$dest")"
mv "$tmp/x/golang.org/toolchain@$module" "$dest"
chmod +x "$dest"/bin/* "$dest"/pkg/tool/*/*
echo "setup-go: $dest/bin/go ($("$dest/bin/go" env GOVERSION))"
