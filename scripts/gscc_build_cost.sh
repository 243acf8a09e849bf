#!/bin/sh
# gscc_build_cost.sh [-n RUNS] [GSCC...] - what gscc costs a real build
# (docs/usage.md, "What gscc costs"): cJSON 1.7.15 from Debian's source, its
# CMake build with the tests and cJSON_Utils (27 compiles, 30 links), Ninja -j1,
# RelWithDebInfo, once with CC=clang-19 and once with each gscc given (default:
# the build tree's), RUNS times (default 2), each clang build followed by the gscc
# builds. Prints elapsed and CPU time (user + system) of each build and the mean
# time of a link step from Ninja's log.
#
# The source is fetched with apt-get source into $GROWSTACK_BUILD_DIR/debsrc
# (default build/debsrc) through a private deb-src list; the system's apt state
# is not touched. Timing is the point, so run it on a machine as idle as you can.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GROWSTACK_BUILD_DIR:-$root/build}
runs=2
if [ "${1:-}" = -n ]; then runs=$2; shift 2; fi
[ $# -gt 0 ] || set -- "$build/bin/gscc"
for g in "$@"; do  # absolute paths: CMake resolves the compiler in its build directory
  case $g in /*) ;; *) g=$(cd "$(dirname "$g")" && pwd)/$(basename "$g") ;; esac
  set -- "$@" "$g"; shift
done

D=$build/debsrc
if [ ! -e "$D/cjson/.unpacked" ]; then
  mkdir -p "$D/parts" "$D/lists/partial" "$D/cache/archives/partial"
  sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$D/parts/src.sources"
  O="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$D/parts -o Dir::State::Lists=$D/lists -o Dir::Cache=$D/cache -o APT::Sandbox::User=root"
  apt-get $O -qq update
  (cd "$D" && apt-get $O -qq source --download-only cjson)
  rm -rf "$D/cjson"
  dpkg-source --no-check -x "$(ls "$D"/cjson_*.dsc | tail -1)" "$D/cjson" >/dev/null
  touch "$D/cjson/.unpacked"
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/gscc-cost-XXXXXX")
trap 'rm -rf "$W"' EXIT
one() { # label compiler
  b=$W/b
  rm -rf "$b"
  cmake -S "$D/cjson" -B "$b" -G Ninja -DCMAKE_C_COMPILER="$2" -DENABLE_CJSON_TEST=ON \
    -DENABLE_CJSON_UTILS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DENABLE_CUSTOM_COMPILER_FLAGS=OFF >/dev/null 2>&1
  /usr/bin/time -f "%e %U %S" -o "$W/time" ninja -C "$b" -j1 >/dev/null
  read -r e u s < "$W/time"
  link=$(awk 'NR > 1 && $4 !~ /\.o$/ { t += $2 - $1; n++ } END { printf "%.3f", t / n / 1000 }' "$b/.ninja_log")
  printf '%-44s %8.1f s %8.1f s %10s s\n' "$1" "$e" "$(echo "$u + $s" | bc)" "$link"
}
printf '%-44s %10s %10s %12s\n' build elapsed CPU "mean link"
i=0
while [ $i -lt "$runs" ]; do
  one "clang-19" clang-19
  for g in "$@"; do one "gscc ($g)" "$g"; done
  i=$((i + 1))
done
