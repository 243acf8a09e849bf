#!/bin/sh
# shlib_export_lists.sh GSCC WORK - gscc-built shared libraries whose export
# lists hide the __gs_x aliases, built by their own build systems from Debian's
# sources (docs/protocol.md 4.1):
#   zlib  ./configure; make   libz.so linked with zlib.map (exports zlib's API only)
#   jq    autoreconf; ./configure; make   libjq.so linked by libtool with
#         -export-symbols-regex '^j[qv]_' (libtool cannot export names with a dot)
# The programs' calls into the libraries must run the libraries on the coroutine
# stack (the thunks find them in the registered growstack_text ranges):
#   - zlib_on_coroutine.c: zlib calls the program's allocator from inside
#     deflate/inflate; it must not be on the thread's own stack; in every mode;
#   - jq's deep equality `(reduce range(200000) as $i (0;[.])) as $a | $a == $a`
#     recurses ~200,000 levels in libjq: jq's own answer ("true", as a plain
#     clang build prints) in segmented and contiguous mode, with GROWSTACK_STATS
#     showing a stack of several MiB (the library's recursion); in fixed mode
#     with GROWSTACK_MAX=64m the same, and at fixed mode's default 8 MiB limit
#     (the same query 400,000 deep) the runtime's overflow report, never a bare SIGSEGV (before: SIGSEGV in
#     every mode, the library ran on the 8 MiB thread stack).
# Sources are fetched with apt-get source into WORK (a private deb-src list made
# from the system's, no change to the system's apt state); when that fails (no
# network) the script exits 77, which CTest reports as skipped.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 GSCC WORK" >&2; exit 2; }
GSCC=$1
case $GSCC in /*) ;; */*) GSCC=$(cd "$(dirname "$GSCC")" && pwd)/$(basename "$GSCC") ;; esac
WORK=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
A=$WORK/apt
mkdir -p "$A/parts" "$A/lists/partial" "$A/cache/archives/partial" "$WORK/dl"

# ---- fetch --------------------------------------------------------------------
O="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$A/parts -o Dir::State::Lists=$A/lists -o Dir::Cache=$A/cache -o APT::Sandbox::User=root -o Debug::NoLocking=1"
fetch() { # package -> $WORK/src-<package>
  p=$1
  [ -e "$WORK/src-$p/.unpacked" ] && return 0
  if [ ! -e "$A/lists/.updated" ]; then
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$A/parts/src.sources"
    apt-get $O -qq update >"$WORK/dl/update.log" 2>&1 || { cat "$WORK/dl/update.log"; return 1; }
    touch "$A/lists/.updated"
  fi
  # The newest version first; a security update the mirror lacks: the next one.
  for v in $(apt-cache $O showsrc "$p" | sed -n 's/^Version: //p' | sort -u | sort -r -V); do
    if (cd "$WORK/dl" && apt-get $O -qq source --download-only "$p=$v" >"$p.log" 2>&1); then
      dsc=$(ls "$WORK/dl/${p}_$(echo "$v" | sed 's/^[0-9]*://')".dsc)
      rm -rf "$WORK/src-$p"
      dpkg-source --no-check -x "$dsc" "$WORK/src-$p" >"$WORK/dl/$p.unpack.log" 2>&1
      touch "$WORK/src-$p/.unpacked"
      echo "== $p $v"
      return 0
    fi
  done
  return 1
}
if ! fetch zlib || ! fetch jq; then
  echo "shlib_export_lists: cannot fetch the Debian sources of zlib and jq (no network?): skipped"
  exit 77
fi

# ---- build --------------------------------------------------------------------
B=$WORK/build
# Rebuild when gscc, the plugin or the runtime changed since the last build.
stamp=$(cat "$GSCC" "$("$GSCC" --gs-print-plugin)" "$("$GSCC" --gs-print-runtime)" | md5sum | cut -d' ' -f1)
for lib in zlib jq; do
  [ "$(cat "$B/$lib/.built" 2>/dev/null)" = "$stamp" ] || rm -f "$B/$lib/.built"
done
if [ ! -e "$B/zlib/.built" ]; then
  rm -rf "$B/zlib" && mkdir -p "$B" && cp -r "$WORK/src-zlib" "$B/zlib"
  (cd "$B/zlib" && CC=$GSCC CFLAGS="-O2 -g" ./configure --prefix="$B/zlib/inst" >build.log 2>&1 &&
   make -j2 >>build.log 2>&1 && make install >>build.log 2>&1) || { tail -30 "$B/zlib/build.log"; exit 1; }
  echo "$stamp" > "$B/zlib/.built"
fi
grep -q -- '--version-script,zlib.map' "$B/zlib/Makefile" ||
  { echo "FAILED: zlib's Makefile does not link with zlib.map"; exit 1; }
if [ ! -e "$B/jq/.built" ]; then
  rm -rf "$B/jq" && cp -r "$WORK/src-jq" "$B/jq"
  (cd "$B/jq" && autoreconf -fi >build.log 2>&1 &&
   ./configure CC="$GSCC" CFLAGS="-O2 -g" --disable-docs --without-oniguruma \
     --disable-maintainer-mode --disable-static --prefix="$B/jq/inst" >>build.log 2>&1 &&
   make -j2 >>build.log 2>&1 && make install >>build.log 2>&1) || { tail -30 "$B/jq/build.log"; exit 1; }
  echo "$stamp" > "$B/jq/.built"
fi
grep -q "export-symbols-regex" "$B/jq/Makefile" ||
  { echo "FAILED: jq's Makefile does not use -export-symbols-regex"; exit 1; }
for lib in "$B/zlib/inst/lib/libz.so" "$B/jq/inst/lib/libjq.so"; do
  if llvm-nm-19 -D --defined-only "$lib" | grep -q '__gs_x'; then
    echo "FAILED: $lib exports __gs_x aliases: its export list does not hide them, nothing is tested"
    exit 1
  fi
done
"$GSCC" -O2 -I"$B/zlib/inst/include" "$here/zlib_on_coroutine.c" -L"$B/zlib/inst/lib" -lz \
  -Wl,-rpath,"$B/zlib/inst/lib" -o "$B/zlib_on_coroutine"

# ---- run ----------------------------------------------------------------------
fail=0
for mode in fixed segmented contiguous; do
  if GROWSTACK_MODE=$mode "$B/zlib_on_coroutine"; then echo "ok: zlib ($mode)"
  else echo "FAILED: zlib_on_coroutine ($mode)"; fail=1; fi
done

Q='(reduce range(200000) as $i (0;[.])) as $a | $a == $a'
JQ=$B/jq/inst/bin/jq
export LD_LIBRARY_PATH=$B/jq/inst/lib
run_jq() { # label, environment assignments...
  label=$1; shift
  set +e
  env "$@" GROWSTACK_STATS=1 "$JQ" -n "${QUERY:-$Q}" >"$WORK/jq.out" 2>"$WORK/jq.err"
  rc=$?
  set -e
  out=$(cat "$WORK/jq.out")
  err=$(cat "$WORK/jq.err")
}
for mode in segmented contiguous fixed; do
  if [ $mode = fixed ]; then set -- GROWSTACK_MODE=fixed GROWSTACK_MAX=64m
  else set -- GROWSTACK_MODE=$mode; fi
  run_jq "$mode" "$@"
  peak=$(printf '%s\n' "$err" | sed -n 's/.*max_stack_bytes=\([0-9]*\).*/\1/p')
  if [ "$rc" = 0 ] && [ "$out" = true ] && [ "${peak:-0}" -gt 4194304 ]; then
    echo "ok: jq ($*): true, the coroutine stack reached $peak bytes"
  else
    echo "FAILED: jq ($*): status $rc, output '$out', max_stack_bytes ${peak:-?}"
    printf '%s\n' "$err" | tail -5
    fail=1
  fi
done
# 400,000 deep for the overflow: 200,000 needs just under 8 MiB without frame
# pointers (protocol.md 5.3), which fits.
QUERY='(reduce range(400000) as $i (0;[.])) as $a | $a == $a' run_jq fixed-8m GROWSTACK_MODE=fixed
if [ "$rc" = 134 ] && printf '%s\n' "$err" | grep -q '^growstack: stack overflow in coroutine .* mode fixed'; then
  echo "ok: jq (fixed, 8 MiB): the runtime's overflow report"
else
  echo "FAILED: jq (fixed, 8 MiB): status $rc, want the overflow report and SIGABRT"
  printf '%s\n' "$err" | tail -5
  fail=1
fi
exit $fail
