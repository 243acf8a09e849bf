#!/bin/sh
# run_expect.sh STATUS REGEX [VAR=VALUE ...] -- COMMAND [ARGS...]
# Runs COMMAND with the given environment; passes when it exits with STATUS
# ("abort" means killed by SIGABRT) and its stderr matches the extended REGEX
# ("-" means stderr must be empty).
set -u
want_status=$1; regex=$2; shift 2
envs=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs="$envs $1"; shift; done
[ $# -gt 0 ] && shift
err=$(mktemp); out=$(mktemp)
# shellcheck disable=SC2086
env $envs "$@" >"$out" 2>"$err"
status=$?
[ "$want_status" = abort ] && want_status=134
ok=1
if [ "$status" != "$want_status" ]; then
  echo "FAIL: exit status $status, want $want_status"; ok=0
fi
if [ "$regex" = "-" ]; then
  if [ -s "$err" ]; then echo "FAIL: stderr is not empty"; ok=0; fi
elif ! grep -Eq -- "$regex" "$err"; then
  echo "FAIL: stderr does not match /$regex/"; ok=0
fi
echo "--- stderr:"; cat "$err"; echo "--- stdout:"; cat "$out"
rm -f "$err" "$out"
[ $ok = 1 ] && echo "PASS" && exit 0
exit 1
