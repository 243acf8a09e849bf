#!/bin/sh
# setup.sh [test|report] - install the Debian packages growstack needs, if missing.
# Safe to re-run: it installs only what is absent. Needs root (apt-get).
set -eu
what=${1:-test}
pkgs="clang-19 llvm-19-dev lld-19 llvm-19-tools libclang-rt-19-dev cmake ninja-build python3 gdb \
      valgrind pkgconf csmith libcsmith-dev gcc-12-source gcc \
      dpkg-dev autoconf automake libtool make tcl libonig-dev zlib1g-dev libgc-dev"
# The second line is for the programs built from Debian source packages
# (tests/shlib, tests/realprog): dpkg-source unpacks them, jq needs autoreconf
# and oniguruma, SQLite's build runs tclsh, and its fuzzcheck and speedtest1 link
# with -lz. pkgconf is for the install test's pkg-config consumer;
# libclang-rt-19-dev for UBSan's run-time library (e2e.ubsan_reports); libgc-dev
# for the program that uses the Boehm collector (e2e.boehm_gc).
if [ "$what" = report ]; then
  pkgs="$pkgs libbenchmark-dev python3-matplotlib golang-1.19-go libboost-context-dev g++-12"
fi
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "== setup: installing$missing"
  if [ "$(id -u)" != 0 ]; then
    echo "setup.sh: packages missing ($missing) and not root; run as root or install them" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
echo "== setup: all packages present"
