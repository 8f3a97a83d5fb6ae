#!/bin/sh
# Builds the interposer: OUT_DIR/linux-x64/{kahook.node,libkahook.so} (or linux-arm64 on an arm64
# host) with cc, and OUT_DIR/linux-arm64/ with aarch64-linux-gnu-gcc when that is on PATH.
# Usage: build.sh OUT_DIR [CC_FLAGS...]   (extra flags: the limits tests build with smaller limits)
set -eu
out=${1:?usage: build.sh OUT_DIR [CC_FLAGS...]}
shift
extra="$*"
here=$(cd "$(dirname "$0")" && pwd)
# Not -z nodelete, which on older glibc turns a failed load into an abort of the whole process:
# the library keeps itself loaded once installed (got.c). -z now: kahook's own calls are bound
# at load, not lazily on a socket path. -z defs: a symbol no library defines fails the link, not
# the load.
flags="-std=gnu11 -O2 -fPIC -shared -Wall -Wextra -Werror -fvisibility=hidden -Wl,-z,relro,-z,now,-z,defs"

# dlopen, dlsym, dlclose, dlerror and dladdr moved from libdl.so.2 into libc.so.6 in glibc 2.34,
# with new symbol versions. Linked against this machine's libc they would need GLIBC_2.34; linked
# against a stand-in libdl.so.2 that defines their first versions, they need those of libdl.so.2,
# which every glibc since has (2.34 and later keep the old versions for old programs) and which
# musl answers with itself. test/native-abi.test.ts reads the versions back.
stub=$(mktemp -d)
trap 'rm -rf "$stub"' EXIT
stand_in() { # compiler, version of the first aarch64 or x86_64 glibc
  printf 'void dlopen(void) {}\nvoid dlsym(void) {}\nvoid dlclose(void) {}\nvoid dlerror(void) {}\nvoid dladdr(void) {}\n' >"$stub/libdl.c"
  printf '%s { global: dlopen; dlsym; dlclose; dlerror; dladdr; local: *; };\n' "$2" >"$stub/libdl.map"
  "$1" -shared -fPIC -nostdlib -Wl,-soname,libdl.so.2 -Wl,--version-script="$stub/libdl.map" -o "$stub/libdl.so.2" "$stub/libdl.c"
}

# kahook.node: loaded by the JavaScript preload (a Node-API addon, or through bun:ffi and
# Deno.dlopen). libkahook.so: LD_PRELOADed by `kahook run` into any other program.
link() { # compiler, output, the files besides the shared ones
  compiler=$1 output=$2
  shift 2
  # shellcheck disable=SC2086 # flags is a word list
  "$compiler" $flags $arch_flags $extra -o "$output" "$here/config.c" "$here/figures.c" "$here/got.c" "$here/libc.c" \
    "$here/lines.c" "$here/sockets.c" "$@" -L"$stub" -Wl,--no-as-needed -l:libdl.so.2
}

build() { # compiler, platform directory
  mkdir -p "$out/$2"
  # gcc's outline atomics for arm64 call __getauxval, which musl lacks: inline LL/SC instead.
  case $2 in
    *arm64) arch_flags=-mno-outline-atomics first=GLIBC_2.17 ;;
    *) arch_flags= first=GLIBC_2.2.5 ;;
  esac
  stand_in "$1" "$first"
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
