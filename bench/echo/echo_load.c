/* echo_load.c - the loopback load generator of the echo benchmark (docs/bench/echo.md).
 *
 *   echo_load --port P --conns N [options]       (--help lists them)
 *
 * One thread, one epoll set, non-blocking sockets. Four phases, each bounded by the run's
 * wall-clock deadline (--timeout), so the generator always stops by itself:
 *
 *  1. connect: N connections to 127.0.0.1:P, at most --connect-window at a time between
 *     connect() and the end of their first exchange. Each connection sends one message and
 *     checks its echo before it counts as established: the server has then accepted it and
 *     run its per-connection code once (a thread or goroutine or coroutine that has served a
 *     request and waits in read, the state a real idle connection is in). The window keeps the
 *     server's accept queue short: a full queue drops SYNs and costs seconds of retransmits.
 *  2. idle: nothing is sent for --settle-ms, then the server's VmRSS is sampled. Memory per
 *     connection = (RSS now - RSS sampled before the first connect) / established.
 *  3. load: --active of the established connections (spread evenly over them; the rest stay
 *     idle) each run a closed loop: write one --msg byte message, read the whole echo, check
 *     every byte, write the next. The phase ends when --requests requests were sent or
 *     --duration seconds passed; then the requests in flight get --drain-ms to come back.
 *  4. close: every connection is closed (FIN, not RST) and the server checked to be alive.
 *
 * Every message is distinct: its bytes are a function of (connection, sequence number), so
 * a server that echoes another connection's data, an old message or a corrupted byte is
 * caught by the byte-for-byte comparison. Latency is measured from just before write() to
 * the read() that completes the echo, on CLOCK_MONOTONIC, into a log-linear histogram (64
 * sub-buckets per power of two: under 1.6% relative error).
 *
 * RLIMIT_NOFILE is raised to N + 64 when the hard limit allows (and the hard limit too when
 * the process may: CAP_SYS_RESOURCE); if it cannot be, the generator says so and exits
 * with status 3 without connecting. The ephemeral port range
 * (net.ipv4.ip_local_port_range) allows about 28,000 connections from one source address
 * to one server port; above half of it, connections are spread over several source
 * addresses 127.0.0.1, 127.0.0.2, ... (bind with IP_BIND_ADDRESS_NO_PORT, so the port is
 * chosen at connect() time per 4-tuple).
 *
 * Output: a human summary on stderr and, with --json FILE, one JSON object (one field per
 * line). Exit status: 0 when all N connections were established and no error occurred; 1
 * when any error occurred or the deadline cut a phase short; 2 usage; 3 limits.
 */
#define _GNU_SOURCE
#include "echo_common.h"

#include <inttypes.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>

/* ---- options ------------------------------------------------------------------------ */

static struct {
    int port;
    long conns, active, msg, window, src_addrs, server_pid, settle_ms, drain_ms, cpu;
    long requests;
    double duration, timeout;
    const char *json, *label;
    const char *meta[16]; /* KEY=VALUE pairs copied into the JSON as strings */
    int nmeta;
    bool quiet;
} opt = {.port = -1, .conns = -1, .active = -1, .msg = 64, .window = 128, .src_addrs = 0,
         .server_pid = 0, .settle_ms = 500, .drain_ms = 2000, .cpu = -1, .requests = 1000000,
         .duration = 5, .timeout = 0, .label = ""};

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: echo_load --port P --conns N [options]\n"
            "  --active A          connections that send requests (default min(N, 1000)); the\n"
            "                      other N-A stay connected and idle\n"
            "  --msg BYTES         message size (default 64, at most 65536)\n"
            "  --requests R        stop the load after R requests (default 1000000)\n"
            "  --duration S        stop the load after S seconds (default 5)\n"
            "  --timeout S         hard bound on the whole run (default 60 + N/1000 + 2*S)\n"
            "  --connect-window W  connections between connect() and their first echo (128)\n"
            "  --src-addrs K       source addresses 127.0.0.1..K (default: from the port range)\n"
            "  --server-pid PID    sample this process's VmRSS and CPU time (/proc)\n"
            "  --settle-ms MS      idle time before the memory sample (default 500)\n"
            "  --drain-ms MS       time the requests in flight get after the load (2000)\n"
            "  --cpu C             pin the generator to CPU C (sched_setaffinity)\n"
            "  --json FILE         write the results as JSON\n"
            "  --label TEXT        copied into the JSON\n"
            "  --meta KEY=VALUE    a string field added to the JSON (repeatable, at most 16)\n"
            "  --quiet             no progress on stderr\n");
    exit(status);
}

static double parse_double(const char *o, const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= 0)) {
        fprintf(stderr, "echo_load: %s expects a non-negative number, got '%s'\n", o, s);
        exit(2);
    }
    return v;
}

static void parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            usage(0);
        if (!strcmp(a, "--quiet")) {
            opt.quiet = true;
            continue;
        }
        if (i + 1 >= argc)
            usage(2);
        const char *v = argv[++i];
#define L(name, field) else if (!strcmp(a, name)) opt.field = echo_parse_long("echo_load", a, v)
        if (!strcmp(a, "--port"))
            opt.port = (int)echo_parse_long("echo_load", a, v);
        L("--conns", conns);
        L("--active", active);
        L("--msg", msg);
        L("--requests", requests);
        L("--connect-window", window);
        L("--src-addrs", src_addrs);
        L("--server-pid", server_pid);
        L("--settle-ms", settle_ms);
        L("--drain-ms", drain_ms);
        L("--cpu", cpu);
#undef L
        else if (!strcmp(a, "--duration")) opt.duration = parse_double(a, v);
        else if (!strcmp(a, "--timeout")) opt.timeout = parse_double(a, v);
        else if (!strcmp(a, "--json")) opt.json = v;
        else if (!strcmp(a, "--label")) opt.label = v;
        else if (!strcmp(a, "--meta") && strchr(v, '=') && opt.nmeta < 16) opt.meta[opt.nmeta++] = v;
        else {
            fprintf(stderr, "echo_load: unknown option '%s'\n", a);
            usage(2);
        }
    }
    if (opt.port <= 0 || opt.port > 65535 || opt.conns <= 0) {
        fprintf(stderr, "echo_load: --port and --conns are required\n");
        usage(2);
    }
    if (opt.msg < 1 || opt.msg > 65536 || opt.window < 1) {
        fprintf(stderr, "echo_load: --msg must be 1..65536 and --connect-window >= 1\n");
        exit(2);
    }
    if (opt.active < 0)
        opt.active = opt.conns < 1000 ? opt.conns : 1000;
    if (opt.active > opt.conns)
        opt.active = opt.conns;
    if (opt.timeout <= 0)
        opt.timeout = 60 + (double)opt.conns / 1000 + 2 * opt.duration;
}

/* ---- time, histogram ---------------------------------------------------------------- */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#define HIST_SUB_BITS 6
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_BUCKETS (HIST_SUB * (64 - HIST_SUB_BITS + 1))
static uint64_t hist[HIST_BUCKETS];
static uint64_t hist_count, hist_max;
static double hist_sum;

static unsigned hist_index(uint64_t v)
{
    if (v < HIST_SUB)
        return (unsigned)v;
    unsigned msb = 63u - (unsigned)__builtin_clzll(v);
    unsigned shift = msb - HIST_SUB_BITS;
    return ((shift + 1) << HIST_SUB_BITS) + (unsigned)((v >> shift) & (HIST_SUB - 1));
}

/* The middle of a bucket's value range. */
static double hist_value(unsigned idx)
{
    if (idx < HIST_SUB)
        return idx;
    unsigned shift = (idx >> HIST_SUB_BITS) - 1;
    uint64_t lo = ((uint64_t)HIST_SUB + (idx & (HIST_SUB - 1))) << shift;
    return (double)lo + (double)((uint64_t)1 << shift) / 2;
}

static void hist_add(uint64_t ns)
{
    hist[hist_index(ns)]++;
    hist_count++;
    hist_sum += (double)ns;
    if (ns > hist_max)
        hist_max = ns;
}

static double hist_quantile(double q)
{
    if (!hist_count)
        return NAN;
    uint64_t rank = (uint64_t)ceil(q * (double)hist_count);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < HIST_BUCKETS; i++) {
        seen += hist[i];
        if (seen >= rank)
            return hist_value(i) < (double)hist_max ? hist_value(i) : (double)hist_max;
    }
    return (double)hist_max;
}

/* ---- messages --------------------------------------------------------------------------- */

/* Byte j of message `seq` of connection `id`: distinct per (id, seq), cheap to regenerate. */
static void msg_fill(uint8_t *p, uint32_t id, uint32_t seq, size_t n)
{
    uint64_t x = ((uint64_t)id << 32 | seq) + 0x9e3779b97f4a7c15u; /* splitmix64 */
    for (size_t j = 0; j < n; j += 8) {
        uint64_t z = (x += 0x9e3779b97f4a7c15u);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
        z ^= z >> 31;
        size_t k = n - j < 8 ? n - j : 8;
        memcpy(p + j, &z, k);
    }
}

/* ---- connections --------------------------------------------------------------------------- */

enum state { ST_FREE, ST_CONNECTING, ST_WAIT_ECHO, ST_IDLE, ST_CLOSED };

struct conn {
    int fd;
    uint32_t seq;  /* sequence number of the message in flight or last echoed */
    uint64_t t0;   /* when the message in flight was written */
    uint32_t sent; /* bytes of it written */
    uint32_t got;  /* bytes of its echo read and checked */
    uint8_t state;
    bool active;   /* takes part in the load phase */
    bool want_out; /* EPOLLOUT registered: a write was short */
    bool est;      /* its handshake echo came back */
};

static struct conn *conns;
static int ep;
static uint8_t *scratch_tx, *scratch_rx, *scratch_exp;

enum phase { PH_CONNECT, PH_IDLE, PH_LOAD, PH_DRAIN, PH_CLOSE };
static enum phase phase;

static struct {
    uint64_t connect_errors, closed_by_server, io_errors, mismatches, unexpected_data,
        unanswered, bytes_verified, timeouts;
    char first[256];
} err;

/* established: handshakes completed (never decreases); open_est: of those, still open. */
static long established, open_est, in_window, in_flight;
static uint64_t sent_requests, completed;
static uint64_t last_completion_ns;

/* Count `n` errors of one kind; the first error of the run is kept with its words. */
static void note_errors(uint64_t *counter, uint64_t n, const char *fmt, ...)
{
    *counter += n;
    if (!err.first[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err.first, sizeof err.first, fmt, ap);
        va_end(ap);
        if (!opt.quiet)
            fprintf(stderr, "echo_load: first error: %s\n", err.first);
    }
}

#define note_error(counter, ...) note_errors(counter, 1, __VA_ARGS__)

static uint64_t error_total(void)
{
    return err.connect_errors + err.closed_by_server + err.io_errors + err.mismatches +
           err.unexpected_data + err.unanswered + err.timeouts;
}

static void conn_close(struct conn *c)
{
    if (c->state == ST_CLOSED || c->state == ST_FREE)
        return;
    if (!c->est)
        in_window--; /* connecting, or its handshake in flight */
    else {
        open_est--;
        if (c->state == ST_WAIT_ECHO)
            in_flight--;
    }
    close(c->fd);
    c->fd = -1;
    c->state = ST_CLOSED;
}

static void set_out(struct conn *c, uint32_t idx, bool want)
{
    if (c->want_out == want)
        return;
    struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.u64 = idx};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->want_out = want;
}

/* Write (the rest of) the message in flight. Returns false if the connection was closed. */
static bool conn_send(struct conn *c, uint32_t idx)
{
    msg_fill(scratch_tx, idx, c->seq, (size_t)opt.msg);
    while (c->sent < (uint32_t)opt.msg) {
        ssize_t n = write(c->fd, scratch_tx + c->sent, (size_t)opt.msg - c->sent);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                set_out(c, idx, true);
                return true;
            }
            note_error(&err.io_errors, "write on connection %u: %s", idx, strerror(errno));
            conn_close(c);
            return false;
        }
        c->sent += (uint32_t)n;
    }
    set_out(c, idx, false);
    return true;
}

/* Start message c->seq + 1 on an established connection. */
static bool conn_request(struct conn *c, uint32_t idx)
{
    c->seq++;
    c->sent = c->got = 0;
    c->state = ST_WAIT_ECHO;
    in_flight++;
    sent_requests++;
    c->t0 = now_ns();
    return conn_send(c, idx);
}

static bool may_send_more(uint64_t now, uint64_t load_end)
{
    return phase == PH_LOAD && sent_requests < (uint64_t)opt.requests && now < load_end;
}

/* Readable: check the echo bytes as they come. */
static void conn_readable(struct conn *c, uint32_t idx, uint64_t load_end)
{
    for (;;) {
        if (c->state != ST_WAIT_ECHO) {
            /* Nothing is expected: any byte (or EOF) here is the server's doing. */
            ssize_t n = read(c->fd, scratch_rx, 1);
            if (n > 0)
                note_error(&err.unexpected_data, "connection %u: data with no request", idx);
            else if (n == 0)
                note_error(&err.closed_by_server, "connection %u: closed by the server", idx);
            else if (errno == EAGAIN || errno == EINTR)
                return;
            else
                note_error(&err.io_errors, "read on connection %u: %s", idx, strerror(errno));
            conn_close(c);
            return;
        }
        size_t want = (size_t)opt.msg - c->got;
        ssize_t n = read(c->fd, scratch_rx, want);
        if (n < 0) {
            if (errno == EAGAIN)
                return;
            if (errno == EINTR)
                continue;
            note_error(&err.io_errors, "read on connection %u: %s", idx, strerror(errno));
            conn_close(c);
            return;
        }
        if (n == 0) {
            note_error(&err.closed_by_server,
                       "connection %u: closed by the server with %u of %ld echo bytes back",
                       idx, c->got, opt.msg);
            conn_close(c);
            return;
        }
        msg_fill(scratch_exp, idx, c->seq, (size_t)opt.msg);
        if (memcmp(scratch_rx, scratch_exp + c->got, (size_t)n) != 0) {
            size_t k = 0;
            while (scratch_rx[k] == scratch_exp[c->got + k])
                k++;
            note_error(&err.mismatches,
                       "connection %u message %u: echo byte %zu is 0x%02x, sent 0x%02x", idx,
                       c->seq, c->got + k, scratch_rx[k], scratch_exp[c->got + k]);
            conn_close(c);
            return;
        }
        err.bytes_verified += (uint64_t)n;
        c->got += (uint32_t)n;
        if (c->got < (uint32_t)opt.msg)
            continue;
        /* A whole echo. */
        uint64_t t = now_ns();
        c->state = ST_IDLE;
        if (!c->est) {
            c->est = true;
            in_window--;
            established++;
            open_est++;
            return;
        }
        in_flight--;
        completed++;
        last_completion_ns = t;
        hist_add(t - c->t0);
        if (c->active && may_send_more(t, load_end))
            (void)conn_request(c, idx);
        return;
    }
}

static void conn_writable(struct conn *c, uint32_t idx)
{
    if (c->state == ST_CONNECTING) {
        int e = 0;
        socklen_t len = sizeof e;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len);
        if (e) {
            note_error(&err.connect_errors, "connect (connection %u): %s", idx, strerror(e));
            conn_close(c);
            return;
        }
        /* Connected: the handshake message, sequence number 0. */
        c->state = ST_WAIT_ECHO;
        c->seq = 0;
        c->sent = c->got = 0;
        c->want_out = true; /* registered with EPOLLOUT at connect */
        (void)conn_send(c, idx);
        return;
    }
    if (c->state == ST_WAIT_ECHO && c->sent < (uint32_t)opt.msg)
        (void)conn_send(c, idx);
}

/* ---- connect phase ---------------------------------------------------------------------- */

static struct sockaddr_in server_addr;
static long src_addrs;

static void conn_open(uint32_t idx)
{
    struct conn *c = &conns[idx];
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        note_error(&err.connect_errors, "socket (connection %u): %s", idx, strerror(errno));
        c->state = ST_CLOSED;
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof one);
    if (src_addrs > 1) {
        /* Port chosen at connect() per 4-tuple, not at bind() per address. */
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        struct sockaddr_in src = {.sin_family = AF_INET,
                                  .sin_addr.s_addr = htonl(0x7f000001u + idx % (uint32_t)src_addrs)};
        if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0) {
            note_error(&err.connect_errors, "bind 127.0.0.%u: %s",
                       1 + idx % (unsigned)src_addrs, strerror(errno));
            close(fd);
            c->state = ST_CLOSED;
            return;
        }
    }
    c->fd = fd;
    c->state = ST_CONNECTING;
    c->want_out = true;
    in_window++;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u64 = idx};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        note_error(&err.connect_errors, "epoll_ctl: %s", strerror(errno));
        conn_close(c);
        return;
    }
    if (connect(fd, (struct sockaddr *)&server_addr, sizeof server_addr) != 0 &&
        errno != EINPROGRESS) {
        if (errno == EADDRNOTAVAIL)
            note_error(&err.connect_errors,
                       "connect: no free ephemeral port (EADDRNOTAVAIL) at connection %u: "
                       "more source addresses needed (--src-addrs)", idx);
        else
            note_error(&err.connect_errors, "connect (connection %u): %s", idx, strerror(errno));
        conn_close(c);
    }
}

/* Wait for events until `until_ns`, dispatching them. */
static void poll_once(uint64_t until_ns, uint64_t load_end)
{
    static struct epoll_event evs[1024];
    uint64_t t = now_ns();
    int ms = t >= until_ns ? 0 : (int)((until_ns - t + 999999) / 1000000);
    if (ms > 100)
        ms = 100;
    int n = epoll_wait(ep, evs, 1024, ms);
    for (int i = 0; i < n; i++) {
        uint32_t idx = (uint32_t)evs[i].data.u64;
        struct conn *c = &conns[idx];
        if (c->state == ST_CLOSED || c->state == ST_FREE)
            continue;
        if (evs[i].events & (EPOLLOUT | EPOLLERR))
            conn_writable(c, idx);
        if (c->state != ST_CLOSED && c->state != ST_CONNECTING &&
            (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
            conn_readable(c, idx, load_end);
    }
}

/* ---- /proc of the server ------------------------------------------------------------------ */

/* utime + stime of a process in seconds (-1 if unknown). */
static double proc_cpu_s(long pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    unsigned long ut, st;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double self_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static bool server_alive(void)
{
    if (opt.server_pid <= 0)
        return true;
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", opt.server_pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* ---- JSON ------------------------------------------------------------------------------ */

static FILE *jf;
static bool jfirst = true;

static void jkey(const char *k)
{
    fprintf(jf, "%s\n  \"%s\": ", jfirst ? "{" : ",", k);
    jfirst = false;
}
static void jnum(const char *k, double v)
{
    jkey(k);
    if (isnan(v) || isinf(v))
        fputs("null", jf);
    else if (fabs(v) < 1e15 && v == (double)(int64_t)v) /* the cast only in range */
        fprintf(jf, "%" PRId64, (int64_t)v);
    else
        fprintf(jf, "%.6g", v);
}
static void jstr(const char *k, const char *s)
{
    jkey(k);
    fputc('"', jf);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(jf, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(jf, "\\u%04x", *s);
        else
            fputc(*s, jf);
    }
    fputc('"', jf);
}
static void jbool(const char *k, bool b)
{
    jkey(k);
    fputs(b ? "true" : "false", jf);
}

/* ---- main ---------------------------------------------------------------------------- */

struct results {
    long nofile, nofile_hard, port_lo, port_hi;
    double t_connect, t_load, t_close, rps;
    long open_at_sample; /* connections open when the idle memory was sampled */
    long rss_before, rss_idle, rss_loaded, hwm, kstack_before, kstack_idle, slab_before,
        slab_idle;
    double srv_cpu_connect, srv_cpu_load, cli_cpu_connect, cli_cpu_load;
    const char *stopped_by, *limit_error;
    bool timed_out, alive;
};

static void write_json(const struct results *r)
{
    if (!opt.json)
        return;
    jf = fopen(opt.json, "we");
    if (!jf) {
        fprintf(stderr, "echo_load: cannot write %s: %s\n", opt.json, strerror(errno));
        return;
    }
    long n = opt.conns;
    jstr("label", opt.label);
    for (int i = 0; i < opt.nmeta; i++) {
        char key[64];
        size_t kl = (size_t)(strchr(opt.meta[i], '=') - opt.meta[i]);
        snprintf(key, sizeof key, "%.*s", (int)(kl < 63 ? kl : 63), opt.meta[i]);
        jstr(key, opt.meta[i] + kl + 1);
    }
    jnum("port", opt.port);
    jnum("server_pid", (double)opt.server_pid);
    jnum("msg_bytes", (double)opt.msg);
    jnum("conns_requested", (double)n);
    jnum("conns_established", (double)established);
    jnum("conns_open_at_sample", (double)r->open_at_sample);
    jnum("active", (double)opt.active);
    jnum("idle", (double)(n - opt.active));
    jnum("src_addrs", (double)src_addrs);
    jnum("port_range_lo", (double)r->port_lo);
    jnum("port_range_hi", (double)r->port_hi);
    jnum("nofile_soft", (double)r->nofile);
    jnum("nofile_hard", (double)r->nofile_hard);
    jstr("limit_error", r->limit_error ? r->limit_error : "");
    jnum("cpu", (double)opt.cpu);
    jnum("connect_seconds", r->t_connect);
    jnum("connects_per_sec", r->t_connect > 0 ? (double)established / r->t_connect : NAN);
    jnum("requests_limit", (double)opt.requests);
    jnum("duration_limit_s", opt.duration);
    jnum("timeout_s", opt.timeout);
    jnum("requests", (double)completed);
    jnum("load_seconds", r->t_load);
    jnum("requests_per_sec", r->rps);
    jstr("stopped_by", r->stopped_by);
    jbool("timed_out", r->timed_out);
    jnum("latency_us_mean", hist_count ? hist_sum / (double)hist_count / 1e3 : NAN);
    jnum("latency_us_p50", hist_quantile(0.50) / 1e3);
    jnum("latency_us_p90", hist_quantile(0.90) / 1e3);
    jnum("latency_us_p99", hist_quantile(0.99) / 1e3);
    jnum("latency_us_p999", hist_quantile(0.999) / 1e3);
    jnum("latency_us_max", hist_count ? (double)hist_max / 1e3 : NAN);
    jnum("errors", (double)error_total());
    jnum("connect_errors", (double)err.connect_errors);
    jnum("closed_by_server", (double)err.closed_by_server);
    jnum("io_errors", (double)err.io_errors);
    jnum("mismatches", (double)err.mismatches);
    jnum("unexpected_data", (double)err.unexpected_data);
    jnum("unanswered", (double)err.unanswered);
    jnum("phase_timeouts", (double)err.timeouts);
    jstr("first_error", err.first);
    jnum("bytes_verified", (double)err.bytes_verified);
    jnum("server_rss_kib_before", (double)r->rss_before);
    jnum("server_rss_kib_idle", (double)r->rss_idle);
    jnum("server_rss_kib_loaded", (double)r->rss_loaded);
    jnum("server_hwm_kib", (double)r->hwm);
    jnum("rss_bytes_per_conn", r->rss_before >= 0 && r->rss_idle >= 0 && r->open_at_sample > 0
                                   ? (double)(r->rss_idle - r->rss_before) * 1024 / (double)r->open_at_sample
                                   : NAN);
    jnum("kernel_stack_bytes_per_conn_system",
         r->kstack_before >= 0 && r->open_at_sample > 0
             ? (double)(r->kstack_idle - r->kstack_before) * 1024 / (double)r->open_at_sample : NAN);
    jnum("slab_bytes_per_conn_system",
         r->slab_before >= 0 && r->open_at_sample > 0
             ? (double)(r->slab_idle - r->slab_before) * 1024 / (double)r->open_at_sample : NAN);
    jnum("server_cpu_s_connect", r->srv_cpu_connect);
    jnum("server_cpu_s_load", r->srv_cpu_load);
    jnum("server_cpu_us_per_request",
         completed && r->srv_cpu_load >= 0 ? r->srv_cpu_load * 1e6 / (double)completed : NAN);
    jnum("client_cpu_s_connect", r->cli_cpu_connect);
    jnum("client_cpu_s_load", r->cli_cpu_load);
    jnum("close_seconds", r->t_close);
    jbool("server_alive_at_end", r->alive);
    fputs("\n}\n", jf);
    fclose(jf);
}

static void read_port_range(long *lo, long *hi)
{
    *lo = 32768;
    *hi = 60999;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
    if (f) {
        if (fscanf(f, "%ld %ld", lo, hi) != 2) {
            *lo = 32768;
            *hi = 60999;
        }
        fclose(f);
    }
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    struct results r = {.rss_before = -1, .rss_idle = -1, .rss_loaded = -1, .hwm = -1,
                        .kstack_before = -1, .slab_before = -1, .srv_cpu_connect = -1,
                        .srv_cpu_load = -1, .stopped_by = "none"};
    const uint64_t t_start = now_ns();
    const uint64_t deadline = t_start + (uint64_t)(opt.timeout * 1e9);

    if (opt.cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET((int)opt.cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) {
            fprintf(stderr, "echo_load: cannot pin to CPU %ld: %s\n", opt.cpu, strerror(errno));
            return 2;
        }
    }

    /* Limits: descriptors, then ephemeral ports. */
    long need = opt.conns + 64;
    r.nofile = echo_raise_nofile(need, &r.nofile_hard);
    read_port_range(&r.port_lo, &r.port_hi);
    long range = r.port_hi - r.port_lo + 1;
    src_addrs = opt.src_addrs;
    if (src_addrs <= 0) {
        long per = range / 2 > 0 ? range / 2 : 1;
        src_addrs = (opt.conns + per - 1) / per;
    }
    if (src_addrs > 254)
        src_addrs = 254;
    static char limit_msg[512];
    if (r.nofile < need) {
        snprintf(limit_msg, sizeof limit_msg,
                 "RLIMIT_NOFILE: %ld connections need %ld descriptors, the limit is %ld (hard "
                 "%ld) and could not be raised (raising the hard limit needs CAP_SYS_RESOURCE; "
                 "fs.nr_open caps it)",
                 opt.conns, need, r.nofile, r.nofile_hard);
    } else if (src_addrs * range < opt.conns) {
        snprintf(limit_msg, sizeof limit_msg,
                 "ephemeral ports: %ld connections from %ld source addresses exceed the port "
                 "range %ld-%ld (%ld ports per address)",
                 opt.conns, src_addrs, r.port_lo, r.port_hi, range);
    }
    if (limit_msg[0]) {
        fprintf(stderr, "echo_load: cannot run: %s\n", limit_msg);
        r.limit_error = limit_msg;
        r.stopped_by = "limits";
        write_json(&r);
        return 3;
    }

    conns = calloc((size_t)opt.conns, sizeof *conns);
    scratch_tx = malloc((size_t)opt.msg);
    scratch_rx = malloc((size_t)opt.msg);
    scratch_exp = malloc((size_t)opt.msg);
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (!conns || !scratch_tx || !scratch_rx || !scratch_exp || ep < 0) {
        fprintf(stderr, "echo_load: out of memory\n");
        return 1;
    }
    server_addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port),
                                       .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};

    if (opt.server_pid > 0) {
        r.rss_before = echo_proc_kib(opt.server_pid, "VmRSS");
        if (r.rss_before < 0) {
            fprintf(stderr, "echo_load: no process %ld (--server-pid)\n", opt.server_pid);
            return 2;
        }
        r.srv_cpu_connect = proc_cpu_s(opt.server_pid);
    }
    r.kstack_before = echo_proc_kib(0, "KernelStack");
    r.slab_before = echo_proc_kib(0, "Slab");
    double cli0 = self_cpu_s();

    /* 1. connect */
    phase = PH_CONNECT;
    uint64_t t0 = now_ns();
    uint32_t next = 0;
    uint64_t last_report = t0;
    while ((next < (uint64_t)opt.conns || in_window > 0) && now_ns() < deadline) {
        while (next < (uint64_t)opt.conns && in_window < opt.window)
            conn_open(next++);
        poll_once(deadline, 0);
        if (!opt.quiet && now_ns() - last_report > 2000000000u) {
            last_report = now_ns();
            fprintf(stderr, "echo_load: %ld of %ld connections established\n", established,
                    opt.conns);
        }
    }
    r.t_connect = (double)(now_ns() - t0) / 1e9;
    if (in_window > 0 || next < (uint64_t)opt.conns) {
        r.timed_out = true;
        note_errors(&err.timeouts, (uint64_t)in_window + ((uint64_t)opt.conns - next),
                    "deadline (--timeout %.0f s) reached in the connect phase with %ld of %ld "
                    "connections established", opt.timeout, established, opt.conns);
        for (uint32_t i = 0; i < next; i++)
            if (conns[i].state == ST_CONNECTING || conns[i].state == ST_WAIT_ECHO)
                conn_close(&conns[i]);
    }
    if (opt.server_pid > 0) {
        double c = proc_cpu_s(opt.server_pid);
        r.srv_cpu_connect = c >= 0 && r.srv_cpu_connect >= 0 ? c - r.srv_cpu_connect : -1;
    }
    r.cli_cpu_connect = self_cpu_s() - cli0;
    if (!opt.quiet)
        fprintf(stderr, "echo_load: %ld of %ld connections established in %.2f s (%ld source "
                        "address%s)\n", established, opt.conns, r.t_connect, src_addrs,
                src_addrs > 1 ? "es" : "");

    /* 2. idle: the connections sit; anything the server sends now is an error. */
    phase = PH_IDLE;
    uint64_t settle_end = now_ns() + (uint64_t)opt.settle_ms * 1000000u;
    if (settle_end > deadline)
        settle_end = deadline;
    while (now_ns() < settle_end)
        poll_once(settle_end, 0);
    r.open_at_sample = open_est;
    if (opt.server_pid > 0)
        r.rss_idle = echo_proc_kib(opt.server_pid, "VmRSS");
    r.kstack_idle = echo_proc_kib(0, "KernelStack");
    r.slab_idle = echo_proc_kib(0, "Slab");

    /* 3. load: the active connections, spread over the established ones. */
    phase = PH_LOAD;
    long nactive = 0;
    if (open_est > 0 && opt.active > 0) {
        long want = opt.active < open_est ? opt.active : open_est;
        long seen = 0;
        for (long i = 0; i < opt.conns && nactive < want; i++) {
            if (conns[i].state != ST_IDLE)
                continue;
            /* Take the k-th open connection when k * want / open_est crosses an integer:
             * an even spread (every one when want == open_est). */
            if ((seen * want) / open_est != ((seen + 1) * want) / open_est)
                conns[i].active = true, nactive++;
            seen++;
        }
    }
    opt.active = nactive;
    double srv_cpu0 = opt.server_pid > 0 ? proc_cpu_s(opt.server_pid) : -1;
    double cli_cpu0 = self_cpu_s();
    uint64_t tl0 = now_ns();
    uint64_t load_end = tl0 + (uint64_t)(opt.duration * 1e9);
    if (load_end > deadline)
        load_end = deadline;
    last_completion_ns = tl0;
    for (long i = 0; i < opt.conns; i++)
        if (conns[i].active && conns[i].state == ST_IDLE && may_send_more(tl0, load_end))
            (void)conn_request(&conns[i], (uint32_t)i);
    while (in_flight > 0 && may_send_more(now_ns(), load_end))
        poll_once(load_end, load_end);
    r.stopped_by = sent_requests >= (uint64_t)opt.requests ? "requests" : "duration";
    /* 3b. drain: the requests in flight come back, no new ones go out. */
    phase = PH_DRAIN;
    uint64_t drain_end = now_ns() + (uint64_t)opt.drain_ms * 1000000u;
    if (drain_end > deadline)
        drain_end = deadline;
    while (in_flight > 0 && now_ns() < drain_end)
        poll_once(drain_end, load_end);
    if (in_flight > 0) {
        note_errors(&err.unanswered, (uint64_t)in_flight, "%ld requests still unanswered "
                    "%ld ms after the load phase", in_flight, opt.drain_ms);
        if (now_ns() >= deadline)
            r.timed_out = true, r.stopped_by = "timeout";
    }
    r.t_load = (double)(last_completion_ns - tl0) / 1e9;
    r.rps = r.t_load > 0 ? (double)completed / r.t_load : 0;
    if (opt.server_pid > 0) {
        double c = proc_cpu_s(opt.server_pid);
        r.srv_cpu_load = c >= 0 && srv_cpu0 >= 0 ? c - srv_cpu0 : -1;
        r.rss_loaded = echo_proc_kib(opt.server_pid, "VmRSS");
        r.hwm = echo_proc_kib(opt.server_pid, "VmHWM");
    }
    r.cli_cpu_load = self_cpu_s() - cli_cpu0;

    /* 4. close */
    phase = PH_CLOSE;
    uint64_t tc0 = now_ns();
    for (long i = 0; i < opt.conns; i++)
        if (conns[i].state != ST_CLOSED && conns[i].state != ST_FREE)
            close(conns[i].fd);
    r.t_close = (double)(now_ns() - tc0) / 1e9;
    r.alive = server_alive();
    if (!r.alive)
        note_error(&err.io_errors, "the server (pid %ld) is gone", opt.server_pid);

    if (!opt.quiet) {
        fprintf(stderr,
                "echo_load: %s%s%ld conns (%ld active), %" PRIu64 " requests in %.2f s: "
                "%.0f req/s; latency us p50 %.1f p99 %.1f p99.9 %.1f max %.1f; errors %" PRIu64
                "\n",
                opt.label, opt.label[0] ? ": " : "", established, opt.active, completed,
                r.t_load, r.rps, hist_quantile(.5) / 1e3, hist_quantile(.99) / 1e3,
                hist_quantile(.999) / 1e3, (double)hist_max / 1e3, error_total());
        if (r.rss_idle >= 0 && r.open_at_sample > 0)
            fprintf(stderr, "echo_load: server RSS %ld KiB before, %ld KiB with %ld idle "
                            "connections: %.0f bytes per connection\n",
                    r.rss_before, r.rss_idle, r.open_at_sample,
                    (double)(r.rss_idle - r.rss_before) * 1024 / (double)r.open_at_sample);
    }
    write_json(&r);
    return error_total() == 0 && established == opt.conns && !r.timed_out ? 0 : 1;
}
