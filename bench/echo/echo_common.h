/* echo_common.h - what the echo benchmark's C programs share: the protocol constants, the
 * ready line, raising RLIMIT_NOFILE, reading a process's memory from /proc.
 *
 * The protocol (docs/bench/echo.md): a client connects to 127.0.0.1:PORT and writes a
 * message; the server writes every byte it reads back on the same connection, in order,
 * until the client closes. Nothing else: no framing, no greeting. The client sends the next
 * message of a connection only after the whole echo of the previous one came back, so a
 * server never holds more than one message per connection.
 *
 * Invariants every server keeps, so that the figures compare like with like:
 *  - one listening socket on 127.0.0.1 (loopback only), port 0 = let the kernel choose;
 *  - each connection reads into a buffer of ECHO_BUF_BYTES that lives as long as the
 *    connection (a local array of the connection's thread or coroutine, a heap slice in Go,
 *    a field of the connection's state in the state machine);
 *  - when ready, it prints exactly one line to stdout and flushes it:
 *        echo-server ready impl=<name> pid=<pid> port=<port> max_conns=<n>
 *    (the driver reads the port and the pid from it, never guesses them);
 *  - it exits with status 0 on SIGTERM or SIGINT, and by itself after --max-seconds, so a
 *    driver that dies cannot leave a server behind for longer than that;
 *  - on exit it prints one line to stdout: echo-server exit impl=<name> accepted=<n> ...
 */
#ifndef GS_BENCH_ECHO_COMMON_H
#define GS_BENCH_ECHO_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/* Per-connection buffer of every server (bytes). The load generator's default message
 * is 64 bytes, so one read takes a whole message. */
#define ECHO_BUF_BYTES 512
/* The listen backlog every server asks for (the kernel caps it at net.core.somaxconn). */
#define ECHO_BACKLOG 4096
/* Default self-imposed lifetime of a server (seconds). */
#define ECHO_MAX_SECONDS_DEFAULT 900

/* Raise the soft RLIMIT_NOFILE to `want` descriptors, or as high as possible: first up to
 * the hard limit, then (only if that is not enough) try to raise the hard limit too, which
 * succeeds only with CAP_SYS_RESOURCE and only up to fs.nr_open. Returns the soft limit in
 * force afterwards; *hard_out gets the hard limit. Never lowers a limit. */
static inline long echo_raise_nofile(long want, long *hard_out)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    if (rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < want) {
        struct rlimit up = rl;
        if (rl.rlim_max == RLIM_INFINITY || (long)rl.rlim_max >= want) {
            up.rlim_cur = (rlim_t)want;
        } else {
            up.rlim_cur = up.rlim_max = (rlim_t)want;
            if (setrlimit(RLIMIT_NOFILE, &up) != 0) /* not privileged: up to the hard limit */
                up.rlim_cur = up.rlim_max = rl.rlim_max;
        }
        (void)setrlimit(RLIMIT_NOFILE, &up);
        (void)getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (hard_out)
        *hard_out = rl.rlim_max == RLIM_INFINITY ? -1 : (long)rl.rlim_max;
    return rl.rlim_cur == RLIM_INFINITY ? want : (long)rl.rlim_cur;
}

/* Open the server's listening socket on 127.0.0.1:port (0 = any), non-blocking if asked.
 * Returns the fd and the port actually bound in *bound, or -1 with a message on stderr. */
static inline int echo_listen(const char *impl, int port, int nonblock, int *bound)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0) {
        fprintf(stderr, "echo-%s: socket: %s\n", impl, strerror(errno));
        return -1;
    }
    int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, ECHO_BACKLOG) != 0) {
        fprintf(stderr, "echo-%s: bind/listen 127.0.0.1:%d: %s\n", impl, port, strerror(errno));
        close(fd);
        return -1;
    }
    socklen_t len = sizeof sa;
    (void)getsockname(fd, (struct sockaddr *)&sa, &len);
    *bound = ntohs(sa.sin_port);
    return fd;
}

static inline void echo_print_ready(const char *impl, int port, long max_conns)
{
    printf("echo-server ready impl=%s pid=%ld port=%d max_conns=%ld\n", impl, (long)getpid(),
           port, max_conns);
    fflush(stdout);
}

/* Parse a non-negative integer option value; exits with status 2 on garbage. */
static inline long echo_parse_long(const char *prog, const char *opt, const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 0);
    if (errno || end == s || *end || v < 0) {
        fprintf(stderr, "%s: %s expects a non-negative integer, got '%s'\n", prog, opt, s);
        exit(2);
    }
    return v;
}

/* A "Key:   1234 kB" field of /proc/<pid>/status or /proc/meminfo, in KiB; -1 if absent.
 * pid 0 reads /proc/meminfo. */
static inline long echo_proc_kib(long pid, const char *key)
{
    char path[64];
    if (pid > 0)
        snprintf(path, sizeof path, "/proc/%ld/status", pid);
    else
        snprintf(path, sizeof path, "/proc/meminfo");
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    char line[256];
    long v = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
            v = strtol(line + kl + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return v;
}

#endif
