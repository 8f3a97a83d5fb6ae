#!/bin/sh
# Builds the interposer: OUT_DIR/linux-x64/{kahook.node,libkahook.so} (or linux-arm64 on an arm64
# host) with cc, and OUT_DIR/linux-arm64/ with aarch64-linux-gnu-gcc when that is on PATH.
# Usage: build.sh OUT_DIR
set -eu
out=${1:?usage: build.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
# -z nodelete: dlclose never unmaps code that patched slots point at.
# -z now: kahook's own calls are bound at load, not lazily on a socket path.
flags="-std=gnu11 -O2 -fPIC -shared -Wall -Wextra -Werror -fvisibility=hidden -Wl,-z,nodelete -Wl,-z,relro,-z,now"

# kahook.node: loaded by the JavaScript preload (a Node-API addon, or through bun:ffi and
# Deno.dlopen). libkahook.so: LD_PRELOADed by `kahook run` into any other program.
link() { # compiler, output, the files besides the shared ones
  compiler=$1 output=$2
  shift 2
  # shellcheck disable=SC2086 # flags is a word list
  "$compiler" $flags -o "$output" "$here/config.c" "$here/got.c" "$here/lines.c" "$here/sockets.c" "$@"
}

build() { # compiler, platform directory
  mkdir -p "$out/$2"
  link "$1" "$out/$2/kahook.node" "$here/napi.c"
  link "$1" "$out/$2/libkahook.so" "$here/preload.c" "$here/exports.c"
}

case $(uname -m) in
  x86_64) build cc linux-x64 ;;
  aarch64 | arm64) build cc linux-arm64 ;;
  *) echo "build.sh: no interposer for $(uname -m)" >&2; exit 1 ;;
esac
if [ "$(uname -m)" = x86_64 ] && command -v aarch64-linux-gnu-gcc >/dev/null 2>&1; then
  build aarch64-linux-gnu-gcc linux-arm64
fi
