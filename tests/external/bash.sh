#!/bin/sh
# bash.sh WORK GSCC - GNU bash 5.2 (Debian source package bash, its own build
# system) built in its default configuration, which uses bash's own malloc
# (lib/malloc, compiled by gscc like the rest), runs bash's own test scripts
# (tests/run-*) in fixed, segmented (2k) and contiguous mode beside the same
# scripts on a plain clang-19 build. Each script prints the difference between
# what the shell printed and what it should have; the gscc build's must be
# the plain build's. Before 2026-12-06 the runtime called the program's malloc
# for its own bookkeeping and most scripts crashed (tests/e2e/own_malloc.c).
#
# Scripts whose output differs between two runs of the plain build (process
# ids, timing) are left out and listed. A gscc script that prints what
# neither plain run printed is run again, up to twice (the scripts that sleep
# and race their jobs print by timing, and the machine may be loaded): one
# that matches then is listed, one that never does fails the test. Before
# 2026-12-06 the contiguous runs also stopped wherever bash longjmps through
# a jmp_buf it copied with memcpy before the stack moved (its top_level and
# return_catch, saved and restored around commands it times, evaluates or
# sources): runtime/longjmp.c carries such copies over the moves.
set -eu
[ $# -eq 2 ] || { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
mkdir -p "$1"
W=$(cd "$1" && pwd)
G=$(cd "$(dirname "$2")" && pwd)/$(basename "$2") # configure runs elsewhere
here=$(cd "$(dirname "$0")" && pwd)
sh "$here/../realprog/fetch.sh" "$W" bash

# build NAME CC: configure and build bash and its test helpers in $W/NAME.
build() {
  rm -rf "${W:?}/$1"
  cp -a "$W/src/bash/" "$W/$1" # timestamps kept: make must not regenerate configure
  (
    cd "$W/$1"
    echo "== bash: configure and build with $2"
    CC=$2 CFLAGS=-O2 ./configure -q >configure.log 2>&1 || { tail -30 config.log; exit 1; }
    { make -j2 && make recho zecho printenv xcase; } >make.log 2>&1 || { tail -30 make.log; exit 1; }
    cp recho zecho printenv xcase tests/
  )
}

# script NAME OUT T [VAR=VALUE...]: the test script T of the build NAME, its
# output into OUT/T with the build's directory replaced by BUILD.
script() {
  b=$1 out=$2 t=$3
  shift 3
  mkdir -p "$out/tmp"
  (
    cd "$W/$b/tests"
    env "$@" TMPDIR="$out/tmp" BUILD_DIR="$W/$b" PATH="$W/$b/tests:$PATH" \
      THIS_SH="$W/$b/bash" BASH_TSTOUT="$out/tmp/tstout" \
      timeout 600 sh "$t" >"$out/$t" 2>&1 </dev/null || true
  )
  sed -i "s|$W/$b|BUILD|g" "$out/$t"
}

# suite NAME OUT [VAR=VALUE...]: every tests/run-* script of the build NAME
# (run-all and run-minimal are drivers).
suite() {
  b=$1 out=$2
  shift 2
  rm -rf "$out"
  for t in $(cd "$W/$b/tests" && ls run-*); do
    case $t in run-all | run-minimal) continue ;; esac
    script "$b" "$out" "$t" "$@"
  done
}

build plain clang-19
build gs "$G"
nm "$W/gs/bash" | grep -q 'gs_records_register' ||
  { echo "bash: $W/gs/bash was not linked by gscc"; exit 1; }
nm "$W/gs/bash" | grep -q ' T malloc$' ||
  { echo "bash: $W/gs/bash does not define its own malloc"; exit 1; }

# One script at a time: several write fixed names in /tmp (test.tests:
# /tmp/test.newer, /tmp/abc, ...), so two suites side by side disturb each
# other.
echo "== bash: the test scripts, plain clang-19 (twice)"
suite plain "$W/out-plain1"
suite plain "$W/out-plain2"
echo "== bash: the test scripts, the gscc build: fixed, segmented, contiguous"
suite gs "$W/out-fixed" GROWSTACK_MODE=fixed
suite gs "$W/out-segmented" GROWSTACK_MODE=segmented GROWSTACK_INITIAL=2k
suite gs "$W/out-contiguous" GROWSTACK_MODE=contiguous

flaky=""
for f in "$W"/out-plain1/run-*; do
  t=${f##*/}
  cmp -s "$f" "$W/out-plain2/$t" || flaky="$flaky $t"
done
n=$(ls "$W"/out-plain1 | grep -c '^run-')
echo "   $n scripts; left out (the plain build's output differs between two runs):${flaky:- none}"

status=0
for cfg in "fixed GROWSTACK_MODE=fixed" "segmented GROWSTACK_MODE=segmented GROWSTACK_INITIAL=2k" \
  "contiguous GROWSTACK_MODE=contiguous"; do
  set -- $cfg
  name=$1
  shift
  same=0 rerun="" bad=""
  for f in "$W"/out-plain1/run-*; do
    t=${f##*/}
    case " $flaky " in *" $t "*) continue ;; esac
    matched=0
    for try in 1 2 3; do
      if cmp -s "$f" "$W/out-$name/$t"; then
        matched=$try
        break
      fi
      [ $try = 3 ] || script gs "$W/out-$name" "$t" "$@"
    done
    case $matched in
    1) same=$((same + 1)) ;;
    0) bad="$bad $t" ;;
    *) rerun="$rerun $t" ;;
    esac
  done
  echo "   $name: $same scripts as the plain build${rerun:+; on a rerun:$rerun}"
  for t in $bad; do
    echo "   $name: $t differs from the plain build's, three runs (< plain, > gscc):"
    diff "$W/out-plain1/$t" "$W/out-$name/$t" | head -40 || true
    status=1
  done
done
[ $status = 0 ] || { echo "bash: the gscc build printed what the plain build does not"; exit 1; }
echo "bash: in every configuration the gscc build printed what the plain build prints"
