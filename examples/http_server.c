/* http_server.c - a small HTTP/1.1 server in the plain blocking style, one coroutine per
 * connection.
 *
 *   http_server [PORT [SECONDS]]     PORT 0 (the default) lets the kernel choose; the
 *                                    server stops by itself after SECONDS if given
 *
 * Like echo_server.c, nothing here knows about parking: accept(), read(), write(),
 * usleep() are the C library's, and in a gscc-built program (transparent mode,
 * docs/netpoll.md) they park the coroutine that calls them while the thread serves the
 * others. Each connection's state is where a thread-per-connection server keeps it: in
 * locals (the request buffer, the parser's position), on a stack that starts at 2 KiB and
 * grows when a request needs more.
 *
 * HTTP/1.1 as far as a test needs it: persistent connections (HTTP/1.1's default, or
 * "Connection: keep-alive" for 1.0; "Connection: close" ends one), pipelined requests,
 * Content-Length bodies, GET and HEAD (and POST for /echo). Routes:
 *
 *   GET /            a greeting
 *   GET /sleep?ms=N  answers after N milliseconds (usleep: only this connection waits)
 *   GET /wait        answers when some other connection has requested /wake: a request
 *   GET /wake        that only another request can complete (read/write on a pipe)
 *   GET /stats       connections and requests served so far
 *   POST /echo       the request body back
 *
 * Anything malformed gets 400 and the connection is closed; a head longer than the buffer
 * gets 431, a body over 1 MiB 413. One "http-server ready pid=PID port=PORT" line on
 * stdout when listening. tests/echo/http_test.py drives it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <growstack.h>

#define HEAD_MAX 4096
#define BODY_MAX (1 << 20)

static long connections, requests;
static int wake_pipe[2];

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* One connection's input: what read() returned and how much of it is used. */
struct input {
    int fd;
    char buf[HEAD_MAX];
    size_t len, pos;
};

/* Read until the buffer holds a whole request head (up to the empty line) starting at
 * in->pos. Returns the head's length, 0 at a clean end of the connection, -1 on error or
 * a head that does not fit (431). */
static long read_head(struct input *in, int *too_long)
{
    *too_long = 0;
    for (;;) {
        char *start = in->buf + in->pos;
        size_t have = in->len - in->pos;
        for (size_t i = 3; i < have; i++)
            if (start[i - 3] == '\r' && start[i - 2] == '\n' && start[i - 1] == '\r' &&
                start[i] == '\n')
                return (long)(i + 1);
        if (in->pos > 0) { /* keep the partial head at the front */
            memmove(in->buf, start, have);
            in->len = have;
            in->pos = 0;
        }
        if (in->len == sizeof in->buf) {
            *too_long = 1;
            return -1;
        }
        ssize_t n = read(in->fd, in->buf + in->len, sizeof in->buf - in->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0 && in->len == 0 ? 0 : -1;
        in->len += (size_t)n;
    }
}

/* The next `want` bytes of body into out (which may be NULL: discarded). */
static int read_body(struct input *in, char *out, size_t want)
{
    while (want > 0) {
        if (in->pos == in->len) {
            ssize_t n = read(in->fd, in->buf, sizeof in->buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return -1;
            in->len = (size_t)n;
            in->pos = 0;
        }
        size_t take = in->len - in->pos < want ? in->len - in->pos : want;
        if (out) {
            memcpy(out, in->buf + in->pos, take);
            out += take;
        }
        in->pos += take;
        want -= take;
    }
    return 0;
}

static int respond(int fd, int status, const char *reason, const char *body, size_t len,
                   int head_only, int keep)
{
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
                     "Connection: %s\r\n\r\n",
                     status, reason, len, keep ? "keep-alive" : "close");
    if (write_all(fd, head, (size_t)n) != 0)
        return -1;
    return head_only || len == 0 ? 0 : write_all(fd, body, len);
}

/* A header's value (case-insensitive name), or NULL; *vlen gets its length. */
static const char *header(const char *head, size_t len, const char *name, size_t *vlen)
{
    size_t nl = strlen(name);
    const char *p = memchr(head, '\n', len), *end = head + len;
    while (p && p + 1 < end) {
        const char *line = p + 1;
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (!eol)
            break;
        if ((size_t)(eol - line) > nl + 1 && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            const char *ve = eol;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' '))
                ve--;
            *vlen = (size_t)(ve - v);
            return v;
        }
        p = eol;
    }
    return NULL;
}

/* One request; returns 1 to keep the connection, 0 to close it. */
static int serve_one(struct input *in, long head_len)
{
    char *head = in->buf + in->pos;
    in->pos += (size_t)head_len;
    requests++;
    char method[8], target[256], version[16];
    if (sscanf(head, "%7s %255s %15s", method, target, version) != 3 ||
        strncmp(version, "HTTP/1.", 7) != 0) {
        respond(in->fd, 400, "Bad Request", "bad request line\n", 16, 0, 0);
        return 0;
    }
    size_t vlen;
    const char *conn = header(head, (size_t)head_len, "Connection", &vlen);
    int keep = strcmp(version, "HTTP/1.1") == 0 ? !(conn && vlen == 5 && !strncasecmp(conn, "close", 5))
                                               : (conn && vlen == 10 && !strncasecmp(conn, "keep-alive", 10));
    const char *cl = header(head, (size_t)head_len, "Content-Length", &vlen);
    long body_len = 0;
    if (cl) {
        char num[24] = {0};
        memcpy(num, cl, vlen < sizeof num - 1 ? vlen : sizeof num - 1);
        char *endp;
        body_len = strtol(num, &endp, 10);
        if (*endp || body_len < 0) {
            respond(in->fd, 400, "Bad Request", "bad content-length\n", 19, 0, 0);
            return 0;
        }
        if (body_len > BODY_MAX) {
            respond(in->fd, 413, "Payload Too Large", "", 0, 0, 0);
            return 0;
        }
    }
    int head_only = strcmp(method, "HEAD") == 0;
    char text[160];
    if (strcmp(method, "POST") == 0 && strcmp(target, "/echo") == 0) {
        char *body = malloc((size_t)body_len + 1);
        if (!body || read_body(in, body, (size_t)body_len) != 0) {
            free(body);
            return 0;
        }
        int rc = respond(in->fd, 200, "OK", body, (size_t)body_len, 0, keep);
        free(body);
        return rc == 0 && keep;
    }
    if (read_body(in, NULL, (size_t)body_len) != 0)
        return 0;
    if (strcmp(method, "GET") != 0 && !head_only) {
        respond(in->fd, 405, "Method Not Allowed", "", 0, 0, keep);
        return keep;
    }
    int n;
    if (strcmp(target, "/") == 0) {
        n = snprintf(text, sizeof text, "hello from growstack\n");
    } else if (strncmp(target, "/sleep?ms=", 10) == 0) {
        long ms = atol(target + 10);
        if (ms < 0 || ms > 10000) {
            respond(in->fd, 400, "Bad Request", "ms out of range\n", 16, 0, keep);
            return keep;
        }
        usleep((useconds_t)ms * 1000);
        n = snprintf(text, sizeof text, "slept %ld ms\n", ms);
    } else if (strcmp(target, "/wait") == 0) {
        char c;
        if (read(wake_pipe[0], &c, 1) != 1)
            return 0;
        n = snprintf(text, sizeof text, "woken\n");
    } else if (strcmp(target, "/wake") == 0) {
        if (write(wake_pipe[1], "w", 1) != 1)
            return 0;
        n = snprintf(text, sizeof text, "woke one\n");
    } else if (strcmp(target, "/stats") == 0) {
        n = snprintf(text, sizeof text, "connections %ld requests %ld\n", connections, requests);
    } else {
        n = snprintf(text, sizeof text, "no such page: %.100s\n", target);
        return respond(in->fd, 404, "Not Found", text, (size_t)n, head_only, keep) == 0 && keep;
    }
    return respond(in->fd, 200, "OK", text, (size_t)n, head_only, keep) == 0 && keep;
}

static void *serve(void *arg)
{
    struct input in = {.fd = (int)(intptr_t)arg};
    connections++;
    for (;;) {
        int too_long;
        long len = read_head(&in, &too_long);
        if (len <= 0) {
            if (too_long)
                respond(in.fd, 431, "Request Header Fields Too Large", "", 0, 0, 0);
            break;
        }
        if (!serve_one(&in, len))
            break;
    }
    close(in.fd);
    return NULL;
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 0;
    if (argc > 2)
        alarm((unsigned)atoi(argv[2]));
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (pipe(wake_pipe) != 0) {
        perror("http_server: pipe");
        return 1;
    }
    int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 4096) != 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &len) != 0) {
        perror("http_server: listen");
        return 1;
    }
    printf("http-server ready pid=%d port=%d\n", (int)getpid(), ntohs(sa.sin_port));
    fflush(stdout);
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("http_server: accept");
            sleep(1);
            continue;
        }
        gs_handle h = gs_spawn(serve, (void *)(intptr_t)fd);
        if (!h || gs_detach(h) != 0) {
            perror("http_server: spawn");
            close(fd);
        }
    }
}
