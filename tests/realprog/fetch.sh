#!/bin/sh
# fetch.sh DIR [PACKAGE...] - get the Debian source packages of the real programs
# (tests/realprog) into DIR, unpacked with Debian's patches applied:
#   DIR/src/<package>/    one tree per package (a symlink to the versioned directory)
#   DIR/apt/              a private apt state: a deb-src list made from the system's
#                         debian.sources, its package lists and the downloaded files
# Nothing outside DIR is written (no change to the system's apt configuration), so
# it works as root on a stock Debian 12. Re-running does not download again: a
# package already unpacked is skipped, and the lists are fetched only once
# (REALPROG_APT_UPDATE=1 forces a new `apt-get update`). Needs dpkg-dev
# (dpkg-source; scripts/setup.sh installs it).
#
# When the newest version in the lists cannot be downloaded (a security update the
# mirror does not carry yet), the next older version the lists name is taken.
set -eu
[ $# -ge 1 ] || { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
D=$1; shift
[ $# -gt 0 ] || set -- sqlite3 jq lua5.4 zlib cjson
mkdir -p "$D"
D=$(cd "$D" && pwd)
A=$D/apt
mkdir -p "$A/parts" "$A/lists/partial" "$A/cache/archives/partial" "$A/dl" "$D/src"

need_apt=0
for p in "$@"; do [ -e "$D/src/$p/.realprog-unpacked" ] || need_apt=1; done
if [ $need_apt = 0 ]; then
  echo "== fetch: $* already unpacked in $D/src"
  exit 0
fi
command -v dpkg-source >/dev/null || { echo "fetch.sh: dpkg-source missing (apt-get install dpkg-dev, or scripts/setup.sh)" >&2; exit 1; }

srcs=/etc/apt/sources.list.d/debian.sources
if [ -f "$srcs" ]; then
  sed 's/^Types: deb$/Types: deb-src/' "$srcs" > "$A/parts/src.sources"
else
  # Older layout: one-line sources.list entries.
  sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > "$A/parts/src.list"
fi
O="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$A/parts -o Dir::State::Lists=$A/lists -o Dir::Cache=$A/cache -o APT::Sandbox::User=root -o Debug::NoLocking=1"
if [ ! -e "$A/lists/.realprog-updated" ] || [ "${REALPROG_APT_UPDATE:-0}" = 1 ]; then
  echo "== fetch: apt-get update (private deb-src lists in $A)"
  apt-get $O -qq update
  touch "$A/lists/.realprog-updated"
fi

cd "$A/dl"
for p in "$@"; do
  [ -e "$D/src/$p/.realprog-unpacked" ] && continue
  # Every version the lists name, newest first.
  versions=$(apt-cache $O showsrc "$p" | sed -n 's/^Version: //p' | sort -u |
             sort -r -t: -k1,1 -V)
  [ -n "$versions" ] || { echo "fetch.sh: no source package $p in the lists" >&2; exit 1; }
  got=""
  for v in $versions; do
    if apt-get $O -qq source --download-only "$p=$v" >"$A/dl/$p.log" 2>&1; then got=$v; break; fi
    echo "== fetch: $p $v not downloadable, trying an older version"
  done
  [ -n "$got" ] || { cat "$A/dl/$p.log" >&2; echo "fetch.sh: could not download $p" >&2; exit 1; }
  dsc=$(ls "$A/dl/${p}_$(echo "$got" | sed 's/^[0-9]*://')".dsc)
  dir=$D/src/$(basename "$dsc" .dsc)
  rm -rf "$dir"
  dpkg-source --no-check -x "$dsc" "$dir" >"$A/dl/$p.unpack.log" 2>&1 ||
    { cat "$A/dl/$p.unpack.log" >&2; exit 1; }
  touch "$dir/.realprog-unpacked"
  ln -sfn "$(basename "$dir")" "$D/src/$p"
  echo "== fetch: $p $got -> $D/src/$p"
done
