#!/usr/bin/env bash
# build.sh --src DIR --out DIR --variant gscc|clang|flags [--gscc PATH] [-j N] PROGRAM...
#
# Build real programs (sources from fetch.sh in --src) through their own build
# systems, out of the source tree, into OUT/<variant>/<program>/. PROGRAM is one of
#   sqlite   SQLite 3.40: configure + make speedtest1 fuzzcheck
#   jq       jq 1.6, static: autoreconf (once, in the source tree), configure
#            --disable-shared, make jq
#   jq-shared jq 1.6, shared libjq through libtool (-export-symbols-regex '^j[qv]_')
#   lua      Lua 5.4 interpreter: upstream's src/Makefile, `make linux`
#   zlib     zlib: configure + make example minigzip examplesh minigzipsh
#            (the shared library is linked with its zlib.map version script)
#   cjson    cJSON: CMake with its unit tests (ENABLE_CJSON_TEST), plus the deep
#            parse/print driver tests/realprog/cjson_deep.c built against cJSON.c
# The variants differ only in the compiler and the flags it adds:
#   gscc     CC=gscc        CFLAGS=-O2
#   clang    CC=clang-19    CFLAGS=-O2                    (the reference)
#   flags    CC=clang-19    CFLAGS=-O2 + the flags gscc adds besides its plugin:
#            -ftrivial-auto-var-init=zero -ftrivial-auto-var-init-max-size=32
#            (32: GROWSTACK_AUTO_INIT_MAX_SIZE; gscc adds it at -O1 and above)
# A program already built with the same compiler, flags and (for gscc) the same
# plugin and runtime files is not rebuilt; otherwise its build directory is made
# anew. Each program's log: OUT/<variant>/<program>.log.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src="" out="" variant="" gscc="" jobs=$(nproc)
progs=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --src) src=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --variant) variant=$2; shift 2 ;;
    --gscc) gscc=$2; shift 2 ;;
    -j) jobs=$2; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build.sh: unknown option $1" >&2; exit 2 ;;
    *) progs+=("$1"); shift ;;
  esac
done
[[ -n $src && -n $out && -n $variant && ${#progs[@]} -gt 0 ]] || { sed -n '2,3p' "$0" >&2; exit 2; }
src=$(cd "$src" && pwd)
mkdir -p "$out/$variant"
out=$(cd "$out" && pwd)

GS_FLAGS="-ftrivial-auto-var-init=zero -ftrivial-auto-var-init-max-size=32"
case $variant in
  gscc)
    [[ -x $gscc ]] || { echo "build.sh: --gscc PATH needed for the gscc variant" >&2; exit 2; }
    CC=$(cd "$(dirname "$gscc")" && pwd)/$(basename "$gscc"); CFLAGS="-O2"
    # The build is stale when the plugin or the runtime changed.
    ident=$(sha1sum "$CC" "$("$CC" --gs-print-plugin)" "$("$CC" --gs-print-runtime)" | cut -c1-40 | tr '\n' ' ') ;;
  clang) CC=clang-19; CFLAGS="-O2"; ident=$(clang-19 --version | head -1) ;;
  flags) CC=clang-19; CFLAGS="-O2 $GS_FLAGS"; ident=$(clang-19 --version | head -1) ;;
  *) echo "build.sh: unknown variant $variant" >&2; exit 2 ;;
esac
export CC CFLAGS
# A private TMPDIR: gscc keeps its thunk sources in a temporary directory, and
# on this shared machine /tmp is cleaned by other jobs (once seen: a link failing
# with "error reading 'gs_thunk_20.s'").
export TMPDIR=$out/tmp
mkdir -p "$TMPDIR"

step() { printf '== [%s] build %s %s: %s\n' "$(date +%H:%M:%S)" "$variant" "$prog" "$*"; }

# jq's release tarball ships no configure: make it once in the source tree.
jq_autoreconf() {
  local s=$src/jq
  if [[ ! -x $s/configure ]]; then
    (cd "$s" && autoreconf -fi) >"$out/jq-autoreconf.log" 2>&1 ||
      { cat "$out/jq-autoreconf.log"; return 1; }
  fi
}

build_sqlite() {
  "$src/sqlite3/configure" --disable-tcl --disable-readline --disable-shared CC="$CC" CFLAGS="$CFLAGS"
  make -j"$jobs" speedtest1 fuzzcheck
}

build_jq() {   # $1: static|shared
  local link=(--disable-shared --enable-static)
  [[ $1 == shared ]] && link=(--enable-shared --disable-static)
  "$src/jq/configure" "${link[@]}" --disable-docs --disable-maintainer-mode --disable-valgrind \
    --with-oniguruma=yes CC="$CC" CFLAGS="$CFLAGS"
  make -j"$jobs"   # all: BUILT_SOURCES (src/builtin.inc) are made only for all/check
}

build_lua() {
  # Upstream's Makefile (Debian's builds a libtool C and C++ library pair); the
  # sources carry Debian's patches. CFLAGS there is "-O2 -Wall -Wextra
  # -DLUA_COMPAT_5_3 $(SYSCFLAGS) $(MYCFLAGS)": our extra flags go in MYCFLAGS.
  cp -r "$src/lua5.4/src" .
  # Debian's patched luaconf.h includes a header debian/rules writes.
  printf '#ifndef _LUA_DEB_MULTIARCH_\n#define _LUA_DEB_MULTIARCH_\n#define DEB_HOST_MULTIARCH "%s"\n#endif\n' \
    "$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)" > src/lua5.4-deb-multiarch.h
  tar -xzf "$src"/lua5.4_*.orig.tar.gz --strip-components=2 -C src lua-5.4.4/src/Makefile
  make -C src -j"$jobs" linux CC="$CC -std=gnu99" MYCFLAGS="${CFLAGS#-O2}" MYLDFLAGS= MYLIBS=
}

build_zlib() {
  "$src/zlib/configure"
  make -j"$jobs" example minigzip examplesh minigzipsh
}

build_cjson() {
  cmake -S "$src/cjson" -B . -G "Unix Makefiles" -DCMAKE_C_COMPILER="$CC" \
    -DCMAKE_BUILD_TYPE= -DCMAKE_C_FLAGS="$CFLAGS" -DENABLE_CJSON_TEST=ON -DENABLE_CJSON_UTILS=ON
  make -j"$jobs"
  # The deep document exceeds cJSON's default nesting limit (1000), a compile-time
  # constant, so the driver is built with cJSON.c and a larger limit.
  $CC $CFLAGS -DCJSON_NESTING_LIMIT=1000000 -I"$src/cjson" -o cjson_deep \
    "$here/cjson_deep.c" "$src/cjson/cJSON.c" -lm
}

for prog in "${progs[@]}"; do
  case $prog in sqlite|jq|jq-shared|lua|zlib|cjson) ;; *) echo "build.sh: unknown program $prog" >&2; exit 2 ;; esac
  dir=$out/$variant/$prog
  log=$out/$variant/$prog.log
  stamp="$CC|$CFLAGS|$ident|$(sha1sum "$0" "$here/cjson_deep.c" | cut -c1-40 | tr '\n' ' ')"
  if [[ -f $dir/.realprog-built && $(cat "$dir/.realprog-built") == "$stamp" ]]; then
    step "up to date"
    continue
  fi
  step "building in $dir"
  rm -rf "$dir"; mkdir -p "$dir"
  start=$(date +%s)
  case $prog in
    jq|jq-shared) jq_autoreconf ;;
  esac
  if ! (cd "$dir" && set -x && case $prog in
          sqlite) build_sqlite ;;
          jq) build_jq static ;;
          jq-shared) build_jq shared ;;
          lua) build_lua ;;
          zlib) build_zlib ;;
          cjson) build_cjson ;;
        esac) >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "build.sh: $variant $prog failed; whole log: $log" >&2
    exit 1
  fi
  printf '%s' "$stamp" > "$dir/.realprog-built"
  step "done in $(( $(date +%s) - start )) s"
done
