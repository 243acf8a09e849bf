#!/usr/bin/env bash
# run.sh - the echo-server benchmark: start each server, load it with bench/echo/echo_load at
# each connection count, stop it; one JSON file per (server, count) in OUTDIR
# (docs/bench/echo.md).
#
#   bench/echo/run.sh OUTDIR [--quick] [--build DIR] [--servers LIST] [--counts LIST]
#                     [--duration S] [--requests N] [--active N] [--no-pin] [--time-limit S]
#
#   --quick       counts 1000,10000, 3 s of load per run (default: 10000,100000, 10 s)
#   --build DIR   the CMake build directory (default: BUILD_DIR from the environment, else
#                 build/ under the repository root): DIR/bench/echo/{echo_load,echo_epoll,
#                 echo_threads,echo_go}, DIR/examples/{echo_server_threads,echo_server_gs}
#   --servers     from: epoll, threads, go, example-threads, growstack-fixed,
#                 growstack-segmented, growstack-contiguous, growstack (all three modes)
#                 (default epoll,threads,go,growstack). growstack-MODE is
#                 examples/echo_server.c built by gscc (transparent mode), run with
#                 GROWSTACK_MODE=MODE
#   --counts      connection counts (comma-separated)
#   --duration    seconds of request loop per run; --requests caps the requests (default
#                 300000 quick, 2000000 full); --active: connections that send (default
#                 min(count, 1000); the others stay idle)
#   --no-pin      let the kernel place server and generator (default: server on CPU 1,
#                 generator on CPU 0, when the machine has 2 CPUs or more)
#   --time-limit  bound on the whole run in seconds: runs that would start after it are
#                 recorded as skipped (default 1800)
#
# Limits: RLIMIT_NOFILE is raised for everything started here (soft and hard when the
# process may). A count it cannot cover, or more threads than the machine allows the thread
# server, runs at the largest count that fits, rounded down to a thousand; the JSON keeps
# the requested count and a note saying why.
# Every step is bounded: a server gets --max-seconds (it exits by itself even if this script
# is killed with SIGKILL), the generator gets --timeout and runs under timeout(1), and the
# EXIT/INT/TERM trap stops whatever is still running, by pid. Exit status: 0 if every run
# that was attempted succeeded (skipped ones do not count), 1 otherwise, 2 usage.
set -euo pipefail

usage() { sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[[ $# -ge 1 && $1 != -* ]] || usage
out=$1
shift
quick=0 build=${BUILD_DIR:-} servers=epoll,threads,go,growstack counts="" duration=""
requests="" active="" pin=1 time_limit=1800
while [[ $# -gt 0 ]]; do
    case $1 in
    --quick) quick=1 ;;
    --build) build=$2; shift ;;
    --servers) servers=$2; shift ;;
    --counts) counts=$2; shift ;;
    --duration) duration=$2; shift ;;
    --requests) requests=$2; shift ;;
    --active) active=$2; shift ;;
    --no-pin) pin=0 ;;
    --time-limit) time_limit=$2; shift ;;
    -h | --help) usage ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage ;;
    esac
    shift
done
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${build:-$root/build}
if ((quick)); then
    counts=${counts:-1000,10000} duration=${duration:-3} requests=${requests:-300000}
else
    counts=${counts:-10000,100000} duration=${duration:-10} requests=${requests:-2000000}
fi
load=$build/bench/echo/echo_load
[[ -x $load ]] || { echo "run.sh: $load not built (cmake --build $build --target echo_load)" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
t_begin=$(date +%s)

# ---- limits: raise RLIMIT_NOFILE for everything started from here -----------------------
IFS=, read -ra count_list <<<"$counts"
max_count=0
for c in "${count_list[@]}"; do ((c > max_count)) && max_count=$c; done
need=$((max_count + 1024))
nofile=$(ulimit -Sn)
if ((nofile < need)); then
    # Soft and hard together: works with CAP_SYS_RESOURCE, up to fs.nr_open.
    if ! ulimit -n "$need" 2>/dev/null; then
        ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true
    fi
    nofile=$(ulimit -Sn)
fi
nofile_note=""
if ((nofile < need)); then
    nofile_note="RLIMIT_NOFILE is $nofile (hard $(ulimit -Hn)) and could not be raised to $need (raising a hard limit needs CAP_SYS_RESOURCE, and some containers refuse it even to root): runs above $((nofile - 1024)) connections run at the largest count that fits"
    echo "run.sh: $nofile_note" >&2
fi

ncpu=$(nproc)
srv_pin=() cli_pin=() cli_cpu=-1
if ((pin)) && ((ncpu >= 2)); then
    srv_pin=(taskset -c 1) cli_pin=(--cpu 0) cli_cpu=0
fi
rd() { cat "$1" 2>/dev/null || echo -1; }
{
    printf '{\n'
    printf '  "command": "%s",\n' "bench/echo/run.sh $out$( ((quick)) && echo ' --quick')"
    printf '  "date": "%s",\n' "$(date -Is)"
    printf '  "host": "%s",\n' "$(uname -srm)"
    printf '  "cpus": %s,\n' "$ncpu"
    printf '  "pinned": %s,\n' "$( ((cli_cpu >= 0)) && echo true || echo false)"
    printf '  "load_before": "%s",\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
    printf '  "nofile": %s,\n' "$nofile"
    printf '  "nofile_note": "%s",\n' "$nofile_note"
    printf '  "pid_max": %s,\n' "$(rd /proc/sys/kernel/pid_max)"
    printf '  "threads_max": %s,\n' "$(rd /proc/sys/kernel/threads-max)"
    printf '  "max_map_count": %s,\n' "$(rd /proc/sys/vm/max_map_count)"
    printf '  "somaxconn": %s,\n' "$(rd /proc/sys/net/core/somaxconn)"
    printf '  "port_range": "%s",\n' "$(tr '\t' ' ' </proc/sys/net/ipv4/ip_local_port_range)"
    printf '  "mem_total_kib": %s,\n' "$(awk '/^MemTotal:/{print $2}' /proc/meminfo)"
    printf '  "duration_s": %s,\n' "$duration"
    printf '  "requests": %s\n' "$requests"
    printf '}\n'
} >"$out/echo-context.json"

# ---- process hygiene ---------------------------------------------------------------------
srv_pid="" gen_pid=""
stop_pid() { # pid: TERM, up to 5 s, then KILL; reaps it
    local p=$1 i
    [[ -n $p ]] || return 0
    kill -TERM "$p" 2>/dev/null || return 0
    for ((i = 0; i < 50; i++)); do
        kill -0 "$p" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
}
cleanup() {
    stop_pid "$gen_pid"; gen_pid=""
    stop_pid "$srv_pid"; srv_pid=""
}
trap cleanup EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT TERM

skip() { # server count reason
    printf '{\n  "server": "%s",\n  "conns_requested": %s,\n  "skipped": "%s"\n}\n' \
        "$1" "$2" "$3" >"$out/echo-$1-$2.json"
    echo "== $1 @ $2: skipped: $3"
}

status=0
gen_timeout() { echo $((60 + $1 / 1000 + 2 * ${duration%.*} + 5)); }

run_one() { # server count
    local server=$1 count=$2 exe args=() sargs=() log ready port pid maxc limit_by note=""
    local n=$count tmo srv_env=()
    local json=$out/echo-$server-$count.json
    rm -f "$json"
    tmo=$(gen_timeout "$count")
    local max_seconds=$((tmo + 60))
    case $server in
    epoll | threads) exe=$build/bench/echo/echo_$server; sargs=(--port 0 --max-seconds "$max_seconds") ;;
    go) exe=$build/bench/echo/echo_go; sargs=(-port 0 -max-seconds "$max_seconds") ;;
    example-threads) exe=$build/examples/echo_server_threads; sargs=(0 "$max_seconds") ;;
    growstack-fixed | growstack-segmented | growstack-contiguous)
        # examples/echo_server.c built by gscc: accept/read/write park (transparent mode,
        # docs/netpoll.md), one thread; the mode comes from the environment.
        exe=$build/examples/echo_server_gs; sargs=(0 "$max_seconds")
        srv_env=(env "GROWSTACK_MODE=${server#growstack-}") ;;
    *) echo "run.sh: unknown server '$server'" >&2; status=1; return 0 ;;
    esac
    if [[ ! -x $exe ]]; then
        skip "$server" "$count" "$exe was not built (its toolchain was missing at configure time)"
        return 0
    fi
    if ((count + 1024 > nofile)); then
        # Descriptors bound every server and the generator alike: run at the largest count
        # they allow (rounded down to a thousand) and say so.
        n=$(((nofile - 1024) / 1000 * 1000))
        if ((n <= 0)); then
            skip "$server" "$count" "$nofile_note"
            return 0
        fi
        note="RLIMIT_NOFILE is $nofile and cannot be raised here: run at $n instead of $count"
        echo "== $server @ $count: $note"
    fi
    if (($(date +%s) - t_begin + tmo > time_limit)); then
        skip "$server" "$count" "the run's --time-limit ($time_limit s) would be exceeded"
        return 0
    fi

    log=$out/echo-$server-$count.server.log
    : >"$log" # exists before the server opens it: the wait below reads it at once
    "${srv_pin[@]}" "${srv_env[@]}" "$exe" "${sargs[@]}" >"$log" 2>&1 &
    srv_pid=$!
    ready=""
    for ((i = 0; i < 100; i++)); do
        ready=$(grep -m1 '^echo-server ready' "$log" || true)
        [[ -n $ready ]] && break
        kill -0 "$srv_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z $ready ]]; then
        echo "== $server @ $count: the server did not get ready in 10 s (see $log)" >&2
        stop_pid "$srv_pid"; srv_pid=""
        status=1
        return 0
    fi
    port=$(sed -n 's/.* port=\([0-9]*\).*/\1/p' <<<"$ready")
    pid=$(sed -n 's/.* pid=\([0-9]*\).*/\1/p' <<<"$ready")
    maxc=$(sed -n 's/.* max_conns=\(-\{0,1\}[0-9]*\).*/\1/p' <<<"$ready")
    limit_by=$(sed -n 's/.* limit_by=\([^ ]*\).*/\1/p' <<<"$ready")
    [[ $pid == "$srv_pid" ]] || echo "run.sh: warning: ready line pid $pid is not the started pid $srv_pid" >&2
    if ((maxc >= 0 && n > maxc)); then
        # The thread server's count is bounded by the machine: run at what it allows.
        n=$((maxc / 1000 * 1000))
        ((n > 0)) || n=$maxc
        note="${note:+$note; }the machine allows $maxc connections for this server (bound by ${limit_by:-its descriptor limit}): run at $n instead of $count"
        echo "== $server @ $count: $note"
    fi
    local act=${active:-$((n < 1000 ? n : 1000))}
    echo "== [$(date +%H:%M:%S)] $server @ $n connections ($act active), pid $pid port $port"
    timeout -k 5 $((tmo + 30)) "$load" --port "$port" --conns "$n" --active "$act" \
        --duration "$duration" --requests "$requests" --timeout "$tmo" --server-pid "$pid" \
        "${cli_pin[@]}" --json "$json" --label "$server/$count" \
        --meta "server=$server" --meta "requested=$count" --meta "note=$note" &
    gen_pid=$!
    local rc=0
    wait "$gen_pid" || rc=$?
    gen_pid=""
    stop_pid "$srv_pid"; srv_pid=""
    if ((rc != 0)); then
        echo "== $server @ $count: the generator reported errors or limits (status $rc; see $json)" >&2
        status=1
    fi
    # The examples keep SIGTERM's default action: they print no exit line.
    [[ $server == example-* || $server == growstack-* ]] || grep -m1 '^echo-server exit' "$log" ||
        echo "== $server @ $count: no exit line from the server (see $log)" >&2
}

IFS=, read -ra asked <<<"$servers"
server_list=()
for server in "${asked[@]}"; do # "growstack" means its three modes
    if [[ $server == growstack ]]; then
        server_list+=(growstack-fixed growstack-segmented growstack-contiguous)
    else
        server_list+=("$server")
    fi
done
for server in "${server_list[@]}"; do
    for count in "${count_list[@]}"; do
        run_one "$server" "$count"
    done
done
printf '%s\n' "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >"$out/echo-load-after.txt"
echo "== echo benchmark done in $(($(date +%s) - t_begin)) s: $out"
exit $status
