#!/bin/sh
# gawk.sh WORK GSCC - GNU awk's own test suite (Debian source package gawk,
# through its own build system) on a gscc build, in four configurations, beside
# the same suite on a plain clang-19 build: regular expressions, deep
# recursion in awk functions, pipes, coprocesses and sockets (/inet), signals,
# MPFR arithmetic, and the extensions, shared libraries built by gscc that the
# gscc-built gawk loads with dlopen (their thunks bind to the executable's
# runtime: before 2026-12-06 none of them loaded). Each run of the suite must
# fail exactly the tests the plain build fails on this machine (those depend
# on the locales installed: commas, mbstr1, mbstr2 without en_US.UTF-8), and
# the extension tests must have run. A test that fails in a run of the suite
# is run again alone, up to twice, and listed when it passes then (some race
# a child process); the plain build's failures are confirmed the same way.
set -eu
[ $# -eq 2 ] || { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
W=$1
G=$2
here=$(cd "$(dirname "$0")" && pwd)
sh "$here/../realprog/fetch.sh" "$W" gawk

# build NAME CC: configure and build gawk and its extensions (not the manual,
# which needs makeinfo) in $W/NAME.
build() {
  rm -rf "${W:?}/$1"
  cp -a "$W/src/gawk/" "$W/$1" # timestamps kept: make must not regenerate the autotools files
  (
    cd "$W/$1"
    echo "== gawk: configure and build with $2"
    CC=$2 CFLAGS=-O2 ./configure -q >configure.log 2>&1 || { tail -30 config.log; exit 1; }
    { make -j2 -C support && make -j2 gawk && make -j2 -C extension; } >make.log 2>&1 ||
      { tail -30 make.log; exit 1; }
  )
}

# failures LOG: the names of the tests a `make check` log shows failing.
failures() {
  sed -n 's/^============== _\(.*\) =============$/\1/p' "$1" | sort
}

# suite NAME LOG [VAR=VALUE...]: `make check` of the build NAME, with the
# environment given; the failing tests into LOG.failed.
suite() {
  b=$1 log=$2
  shift 2
  (cd "$W/$b/test" && env "$@" make check >"$log" 2>&1) || true
  failures "$log" >"$log.failed"
  grep -q 'Starting shared library tests' "$log" ||
    { tail -20 "$log"; echo "gawk: the suite did not run to the extension tests ($log)"; exit 1; }
}

# rerun NAME LOG TESTS [VAR=VALUE...]: each of TESTS (failed in the suite LOG
# of the build NAME) run again alone, up to twice; one that passes then is
# listed and dropped from LOG.failed. A few of gawk's tests race a child
# process and lose under load (clos1way6 orders gawk's warning and the
# child's output on stderr by timing).
rerun() {
  b=$1 log=$2 tests=$3
  shift 3
  for t in $tests; do
    for try in 1 2; do
      rm -f "$W/$b/test/_$t"
      # Passed: make knew the test (a failing one leaves _<test>, exit 0).
      if (cd "$W/$b/test" && env "$@" make "$t") >/dev/null 2>&1 && [ ! -e "$W/$b/test/_$t" ]; then
        echo "   $t failed in the suite and passed when run again alone"
        grep -vx "$t" "$log.failed" >"$log.failed.new" || true
        mv "$log.failed.new" "$log.failed"
        break
      fi
    done
  done
}

build plain clang-19
build gs "$G"
nm "$W/gs/gawk" | grep -q 'gs_records_register' ||
  { echo "gawk: $W/gs/gawk was not linked by gscc"; exit 1; }
nm -D "$W/gs/extension/.libs/filefuncs.so" | grep -q '__gs_thunk_resolve' ||
  { echo "gawk: the extensions were not built by gscc"; exit 1; }

echo "== gawk: make check, plain clang-19"
suite plain "$W/check-plain.log"
rerun plain "$W/check-plain.log" "$(cat "$W/check-plain.log.failed")"
echo "   failing here: $(tr '\n' ' ' <"$W/check-plain.log.failed")"
status=0
for cfg in "contiguous" "fixed" "segmented GROWSTACK_INITIAL=2k" "contiguous GROWSTACK_FORCE_MOVE=1"; do
  set -- $cfg
  mode=$1
  shift
  name=$(echo "$mode $*" | tr ' =' '__' | sed 's/_*$//')
  echo "== gawk: make check, gscc build, GROWSTACK_MODE=$mode $*"
  suite gs "$W/check-$name.log" GROWSTACK_MODE="$mode" "$@"
  rerun gs "$W/check-$name.log" \
    "$(comm -13 "$W/check-plain.log.failed" "$W/check-$name.log.failed")" \
    GROWSTACK_MODE="$mode" "$@"
  if ! cmp -s "$W/check-plain.log.failed" "$W/check-$name.log.failed"; then
    echo "   failing tests differ from the plain build's (< plain, > gscc):"
    diff "$W/check-plain.log.failed" "$W/check-$name.log.failed" || true
    for t in $(comm -13 "$W/check-plain.log.failed" "$W/check-$name.log.failed"); do
      sed -n "/^============== _$t =============\$/,/^==============/p" "$W/check-$name.log" | head -30
    done
    status=1
  fi
done
[ $status = 0 ] || { echo "gawk: the gscc build failed tests the plain build passes"; exit 1; }
echo "gawk: every configuration failed exactly what the plain build fails"
