#!/usr/bin/env bash
# echo_test.sh CASE LOAD [args...] - the echo benchmark's tests (tests/echo/CMakeLists.txt).
#
#   verify SERVER CONNS MSG [GENERATOR ARGS...]
#                               the generator against SERVER: CONNS connections, all active,
#                               MSG-byte messages; every echoed byte checked, none missing
#   corrupt BAD_SERVER          a server that flips one byte: the generator must name it
#   mute BAD_SERVER             a server that never answers: the generator must stop at its
#                               --timeout and say why
#   nofile                      more connections than RLIMIT_NOFILE can ever allow: exit 3
#   driver RUN_SH BUILD         bench/echo/run.sh on small counts stops within its bound,
#                               leaves no process behind, runs growstack in its three modes
#   driver_trap RUN_SH BUILD    SIGTERM to run.sh mid-run stops its server and generator
# Exit status 0 pass, 1 fail, 77 skip (a binary that was not built: the Go anchor).
set -uo pipefail
case_=$1 load=$2
shift 2
tmp=$(mktemp -d)
srv=""
cleanup() {
    [[ -n $srv ]] && kill -KILL "$srv" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# A field of the generator's JSON (one field per line), quotes and comma removed.
field() { sed -n "s/^  \"$2\": \(.*\)$/\1/p" "$1" | sed 's/,$//; s/^"//; s/"$//'; }
expect() { # file key value
    local v
    v=$(field "$1" "$2")
    [[ $v == "$3" ]] || fail "$2 is '$v', expected '$3' ($1: $(field "$1" first_error))"
}

start_server() { # exe args... ; sets srv, port
    "$@" >"$tmp/server.log" 2>&1 &
    srv=$!
    local i
    for ((i = 0; i < 100; i++)); do
        grep -q '^echo-server ready' "$tmp/server.log" && break
        kill -0 "$srv" 2>/dev/null || fail "server $1 died: $(cat "$tmp/server.log")"
        sleep 0.1
    done
    grep -q '^echo-server ready' "$tmp/server.log" || fail "server $1 not ready in 10 s"
    port=$(sed -n 's/.* port=\([0-9]*\).*/\1/p' "$tmp/server.log" | head -1)
    local pid
    pid=$(sed -n 's/.* pid=\([0-9]*\).*/\1/p' "$tmp/server.log" | head -1)
    [[ $pid == "$srv" ]] || fail "ready line names pid $pid, the server is $srv"
}

stop_server() { # expected exit status
    kill -TERM "$srv"
    local rc=0
    wait "$srv" || rc=$?
    srv=""
    [[ $rc == "$1" ]] || fail "server exit status $rc, expected $1: $(cat "$tmp/server.log")"
}

case $case_ in
verify)
    exe=$1 conns=$2 msg=$3
    shift 3
    if [[ ! -x $exe ]]; then
        [[ $(basename "$exe") == echo_go ]] && { echo "SKIP: $exe not built (no Go >= 1.19)"; exit 77; }
        fail "$exe not built"
    fi
    status=0
    case $(basename "$exe") in
    echo_go) start_server "$exe" -port 0 -max-seconds 60 ;;
    echo_server_threads | echo_server_gs) start_server "$exe" 0 60; status=143 ;; # SIGTERM's default action
    *) start_server "$exe" --port 0 --max-seconds 60 ;;
    esac
    requests=$((msg > 512 ? 2000 : 20000))
    "$load" --port "$port" --conns "$conns" --active "$conns" --msg "$msg" \
        --requests "$requests" --duration 30 --settle-ms 100 --server-pid "$srv" \
        --json "$tmp/r.json" --quiet "$@" ||
        fail "generator exit status $? ($(field "$tmp/r.json" first_error))"
    expect "$tmp/r.json" errors 0
    expect "$tmp/r.json" conns_established "$conns"
    expect "$tmp/r.json" requests "$requests"
    expect "$tmp/r.json" stopped_by requests
    # Every byte of every message, the handshakes included, came back and was compared.
    expect "$tmp/r.json" bytes_verified $(((conns + requests) * msg))
    expect "$tmp/r.json" server_alive_at_end true
    rss=$(field "$tmp/r.json" rss_bytes_per_conn)
    [[ $rss =~ ^[0-9.e+-]+$ ]] || fail "rss_bytes_per_conn is '$rss'"
    p99=$(field "$tmp/r.json" latency_us_p99)
    [[ $p99 =~ ^[0-9.e+]+$ ]] || fail "latency_us_p99 is '$p99'"
    stop_server $status
    if ((status == 0)); then
        grep -q "^echo-server exit .*reason=signal accepted=$conns " "$tmp/server.log" ||
            fail "no exit line with accepted=$conns: $(cat "$tmp/server.log")"
    fi
    ;;
corrupt)
    start_server "$1" --corrupt 200
    rc=0
    "$load" --port "$port" --conns 10 --requests 1000 --duration 10 --settle-ms 0 \
        --json "$tmp/r.json" --quiet || rc=$?
    [[ $rc == 1 ]] || fail "generator exit status $rc, expected 1"
    m=$(field "$tmp/r.json" mismatches)
    ((m >= 1)) || fail "mismatches is '$m'"
    # Stream offset 200 = message 3 (the handshake is message 0), byte 8.
    [[ $(field "$tmp/r.json" first_error) == *"message 3: echo byte 8 "* ]] ||
        fail "first_error: $(field "$tmp/r.json" first_error)"
    stop_server 143 # the bad server keeps SIGTERM's default action
    ;;
mute)
    start_server "$1" --mute
    rc=0
    t0=$(date +%s%N)
    "$load" --port "$port" --conns 20 --duration 1 --timeout 4 --json "$tmp/r.json" --quiet || rc=$?
    ms=$((($(date +%s%N) - t0) / 1000000))
    [[ $rc == 1 ]] || fail "generator exit status $rc, expected 1"
    ((ms >= 3900 && ms < 10000)) || fail "generator took $ms ms with --timeout 4"
    expect "$tmp/r.json" timed_out true
    expect "$tmp/r.json" phase_timeouts 20
    expect "$tmp/r.json" conns_established 0
    [[ $(field "$tmp/r.json" first_error) == *"connect phase"* ]] ||
        fail "first_error: $(field "$tmp/r.json" first_error)"
    stop_server 143
    ;;
nofile)
    # fs.nr_open caps even a privileged process's RLIMIT_NOFILE.
    n=$(($(cat /proc/sys/fs/nr_open) + 1))
    rc=0
    "$load" --port 9 --conns "$n" --json "$tmp/r.json" 2>"$tmp/err" || rc=$?
    [[ $rc == 3 ]] || fail "exit status $rc, expected 3"
    grep -q "cannot run: RLIMIT_NOFILE: $n connections need" "$tmp/err" || fail "stderr: $(cat "$tmp/err")"
    [[ $(field "$tmp/r.json" limit_error) == RLIMIT_NOFILE* ]] || fail "limit_error missing"
    expect "$tmp/r.json" conns_established 0
    ;;
driver)
    run=$1 build=$2
    t0=$(date +%s)
    rc=0
    "$run" "$tmp/out" --build "$build" --servers epoll,threads,growstack --counts 50 \
        --duration 2 --requests 1000000000 --time-limit 120 >"$tmp/driver.log" 2>&1 || rc=$?
    s=$(($(date +%s) - t0))
    [[ $rc == 0 ]] || fail "run.sh exit status $rc: $(cat "$tmp/driver.log")"
    # Five servers x (start + connect + 0.5 s settle + 2 s load + stop): well under 45 s.
    ((s < 45)) || fail "run.sh took $s s"
    for server in epoll threads growstack-fixed growstack-segmented growstack-contiguous; do
        j=$tmp/out/echo-$server-50.json
        [[ -f $j ]] || fail "$j missing"
        expect "$j" errors 0
        expect "$j" stopped_by duration
        expect "$j" server "$server"
        pid=$(sed -n 's/.* pid=\([0-9]*\).*/\1/p' "$tmp/out/echo-$server-50.server.log")
        [[ -n $pid ]] || fail "no pid in the $server log"
        ! kill -0 "$pid" 2>/dev/null || fail "server $server (pid $pid) still running"
        [[ $server == growstack-* ]] || # the example keeps SIGTERM's default action
            grep -q '^echo-server exit .*reason=signal' "$tmp/out/echo-$server-50.server.log" ||
            fail "$server did not exit on SIGTERM"
    done
    ;;
driver_trap)
    run=$1 build=$2
    "$run" "$tmp/out" --build "$build" --servers epoll --counts 50 --duration 60 \
        --requests 1000000000 >"$tmp/driver.log" 2>&1 &
    drv=$!
    log=$tmp/out/echo-epoll-50.server.log
    for ((i = 0; i < 100; i++)); do
        grep -q '^echo-server ready' "$log" 2>/dev/null && break
        sleep 0.1
    done
    pid=$(sed -n 's/.* pid=\([0-9]*\).*/\1/p' "$log" 2>/dev/null)
    [[ -n $pid ]] || { kill -KILL $drv; fail "the driver started no server: $(cat "$tmp/driver.log")"; }
    sleep 1 # the generator is running now
    gen=$(pgrep -f -- "--json $tmp/out/echo-epoll-50.json" | tr '\n' ' ')
    [[ -n $gen ]] || { kill -KILL $drv; fail "no generator running"; }
    kill -TERM $drv
    for ((i = 0; i < 150; i++)); do
        kill -0 $drv 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 $drv 2>/dev/null; then
        kill -KILL $drv
        fail "run.sh still running 15 s after SIGTERM"
    fi
    wait $drv
    rc=$?
    [[ $rc == 130 ]] || fail "run.sh exit status $rc, expected 130"
    ! kill -0 "$pid" 2>/dev/null || { kill -KILL "$pid"; fail "server $pid left behind"; }
    for g in $gen; do
        ! kill -0 "$g" 2>/dev/null || { kill -KILL "$g"; fail "generator $g left behind"; }
    done
    ;;
*) fail "unknown case $case_" ;;
esac
echo "PASS: $case_"
