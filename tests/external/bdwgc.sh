#!/bin/sh
# bdwgc.sh WORK GSCC - the Boehm-Demers-Weiser collector's own test suite
# (Debian source package libgc, through its own build system), its programs
# built by gscc against the collector built by plain clang-19: the configuration
# growstack supports (docs/usage.md, "The Boehm collector"). `make check` runs
# 16 programs: threads stopped inside coroutines and inside libgc's stack
# sections, incremental collection with mprotect, fork, finalizers, typed and
# large objects. Every one must pass; then gctest runs again in fixed and
# segmented mode (make check runs the default, contiguous).
set -eu
[ $# -eq 2 ] || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
W=$1
G=$2
here=$(cd "$(dirname "$0")" && pwd)
sh "$here/../realprog/fetch.sh" "$W" libgc
B=$W/build
rm -rf "$B"
cp -r "$W/src/libgc/" "$B"
cd "$B"
echo "== bdwgc: the collector, by clang-19 (a static library)"
CC=clang-19 ./configure -q --enable-threads=posix --disable-shared --enable-static
make -j2 >make.log 2>&1 || { tail -30 make.log; exit 1; }
echo "== bdwgc: make check, the test programs by $G"
# The library is built: only the test programs are compiled now, by gscc.
status=0
make -j2 check CC="$G" >check.log 2>&1 || status=$?
grep -E '^(PASS|FAIL|XFAIL|XPASS|ERROR|SKIP):|^# ' check.log || true
if [ $status != 0 ]; then
  for f in *.log; do
    case $f in make.log|check.log|config.log|test-suite.log) continue ;; esac
    grep -q '^FAIL' "$f" 2>/dev/null && { echo "--- $f"; tail -20 "$f"; }
  done
  echo "bdwgc: make check failed"
  exit 1
fi
# Built by gscc indeed: the runtime's root procedure is in the program.
nm gctest | grep -q ' gs_gcroots_add$' || nm gctest | grep -q 'gs_gcroots_add' ||
  { echo "bdwgc: gctest was not linked by gscc"; exit 1; }
for m in fixed segmented; do
  echo "== bdwgc: gctest, GROWSTACK_MODE=$m"
  GROWSTACK_MODE=$m ./gctest >gctest-$m.log 2>&1 || { tail -20 gctest-$m.log; exit 1; }
  grep 'Collector appears to work' gctest-$m.log
done
echo "bdwgc: every test passed"
