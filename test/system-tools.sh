#!/bin/sh
# Checks for the system tools and servers that the build, the tests and the bench use, listed
# below. As root with apt-get it installs the Debian packages of those missing; otherwise it
# prints the command that would install them and fails. npm install runs it for the build's
# tools, npm test and .ci/run for all of them.
# Usage: system-tools.sh [NEEDER]   NEEDER (such as build) checks only what it needs.
# SYSTEM_TOOLS_HIDE="DETECTION ..." takes those tools as missing, so that the path taken when one
# is missing can be tested on a machine that has them all (test/node-only/system-tools.test.ts).
set -eu
needer=${1:-}

# Debian puts nginx in /usr/sbin, which a user's PATH may lack; test/_servers.ts looks there too.
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

# One line per tool: how to find it (a command on PATH, or, with a slash, a file: a glob), the
# Debian package that has it, and what needs it (build: npm run build; start: npm start; bench:
# npm run bench; any other name is a test file, test/NAME.test.ts). The tests find the cross
# compiler, qemu and arm64's loader at these very paths. Essential packages (coreutils, dash,
# util-linux: prlimit, setpriv, unshare; libc-bin: ldconfig) are on every Debian system.
TOOLS='
cc                                                gcc                    build,interposer,native-clients,headers,tcp-info,deadpeer-abi,node-only/fallback,node-only/run-programs,node-only/run-programs-libc,bench
/usr/include/stdio.h                              libc6-dev              build,interposer,native-clients,headers,tcp-info,deadpeer-abi,node-only/fallback,node-only/run-programs,node-only/run-programs-libc,bench
/usr/lib/*-linux-gnu/libc.a                       libc6-dev              node-only/run-programs
nm                                                binutils               interposer
/usr/bin/aarch64-linux-gnu-gcc                    gcc-aarch64-linux-gnu  interposer,native-clients,node-only/arm64,node-only/fallback,node-only/npm
/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1  libc6-arm64-cross      interposer,native-clients,node-only/arm64
/usr/bin/qemu-aarch64                             qemu-user              interposer,native-clients,node-only/arm64
openssl                                           openssl                roundtrip,errors,lazy,headers,paths,tcp-info,undici,native-clients,node-only/cli,node-only/strace
strace                                            strace                 node-only/strace,node-only/run-programs,bench
python3                                           python3                node-only/run-programs
awk                                               mawk                   node-only/run-programs
go                                                golang-go              node-only/run-programs-libc
/usr/lib/postgresql/*/bin/postgres                postgresql             servers,native-clients
redis-server                                      redis-server           servers,native-clients,node-only/run-servers
nginx                                             nginx                  node-only/run-servers
ip                                                iproute2               start,node-only/demo,blackhole
/usr/lib/libkeepalive.so                          libkeepalive0          bench
readelf                                           binutils               node-only/platforms,node-only/native-abi,node-only/run-programs-libc
patchelf                                          patchelf               node-only/platforms
musl-gcc                                          musl-tools             node-only/platforms,node-only/interposer-platforms,node-only/run-programs-libc
/usr/lib/x86_64-linux-musl/libc.so                musl-dev               node-only/platforms,node-only/interposer-platforms,node-only/run-programs-libc
/lib/ld-musl-x86_64.so.1                          musl                   node-only/platforms,node-only/interposer-platforms,node-only/native-abi,node-only/run-programs-libc
/usr/bin/aarch64-linux-musl-gcc                   musl-dev:arm64         node-only/platforms,node-only/interposer-platforms,node-only/arm64
/lib/ld-musl-aarch64.so.1                         musl:arm64             node-only/platforms,node-only/interposer-platforms,node-only/native-abi,node-only/arm64
'

present() { # DETECTION
  case " ${SYSTEM_TOOLS_HIDE:-} " in *" $1 "*) return 1 ;; esac
  case $1 in
    */*)
      # Unquoted: the glob expands to the files that match, or stays as written when none does.
      for file in $1; do [ -e "$file" ] && return 0; done
      return 1
      ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

# The lines of TOOLS whose tool the needer needs and is missing.
missing() {
  while read -r detection package needers; do
    [ -n "$detection" ] || continue
    if [ -n "$needer" ]; then
      case ",$needers," in *",$needer,"*) ;; *) continue ;; esac
    fi
    present "$detection" || echo "$detection $package $needers"
  done <<EOF
$TOOLS
EOF
}

# The packages of those lines, each once, in their order.
packages() { # LINES
  list=
  while read -r _ package _; do
    case " $list " in *" $package "*) ;; *) list="${list:+$list }$package" ;; esac
  done <<EOF
$1
EOF
  echo "$list"
}

lacking=$(missing)
[ -z "$lacking" ] && exit 0
# Packages of another architecture (musl:arm64) need it added to dpkg first.
architectures=$(packages "$lacking" | tr ' ' '\n' | sed -n 's/^[^:]*://p' | sort -u)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  for architecture in $architectures; do dpkg --add-architecture "$architecture"; done
  echo "system-tools.sh: installing $(packages "$lacking")" >&2
  # One argument per package: the word splitting is wanted.
  # shellcheck disable=SC2046
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(packages "$lacking")
  lacking=$(missing)
  [ -z "$lacking" ] && exit 0
fi

echo "system-tools.sh: missing here, and needed by the build, the tests or the bench:" >&2
while read -r detection package needers; do
  echo "  $detection (Debian package $package), for $(echo "$needers" | sed 's/,/, /g')" >&2
done <<EOF
$lacking
EOF
sudo=
[ "$(id -u)" = 0 ] || sudo="sudo "
add=
for architecture in $architectures; do add="$add${sudo}dpkg --add-architecture $architecture && "; done
update=
[ -z "$add" ] || update="${sudo}apt-get update && "
echo "Install them with: $add$update${sudo}apt-get install -y $(packages "$lacking")" >&2
exit 1
