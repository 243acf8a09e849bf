/* e2e.h - helpers shared by the end-to-end tests (tests/e2e/).
 *
 * Every test is a gscc-built program with its own main. It checks its own
 * results and fails loudly: a failed check prints file, line, the expression
 * and the values on stderr and exits with status 1. Success prints one line,
 * "<test>: N checks passed", and returns 0.
 *
 * Tests about the process itself (exit status, argv, streams, exit()) run a
 * second copy of the program (/proc/self/exe) as a child with chosen arguments,
 * environment and stdin, and check what comes back.
 *
 * e2e_at_depths() runs a check at many call depths, so that the calls it makes
 * meet segment boundaries (segmented mode) and stack moves (contiguous mode) at
 * many different offsets. Everything here is static: each test is compiled by
 * gscc in full, helpers included. Include this header first (it defines
 * _GNU_SOURCE).
 */
#ifndef E2E_H
#define E2E_H

#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Not every test uses every helper. */
#define E2E_STATIC static __attribute__((unused))

E2E_STATIC unsigned long e2e_checks;

__attribute__((noreturn, format(printf, 3, 4))) E2E_STATIC void
e2e_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s:%d: FAILED: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

#define E2E_CHECK(cond)                                                          \
    do {                                                                         \
        if (!(cond))                                                             \
            e2e_fail(__FILE__, __LINE__, "%s", #cond);                           \
        e2e_checks++;                                                            \
    } while (0)

#define E2E_CHECK_MSG(cond, ...)                                                 \
    do {                                                                         \
        if (!(cond))                                                             \
            e2e_fail(__FILE__, __LINE__, __VA_ARGS__);                           \
        e2e_checks++;                                                            \
    } while (0)

#define E2E_EQ_LONG(a, b)                                                        \
    do {                                                                         \
        long long e2e_a_ = (long long)(a), e2e_b_ = (long long)(b);              \
        E2E_CHECK_MSG(e2e_a_ == e2e_b_, "%s == %s: %lld != %lld", #a, #b, e2e_a_, \
                      e2e_b_);                                                   \
    } while (0)

#define E2E_EQ_STR(a, b)                                                         \
    do {                                                                         \
        const char *e2e_a_ = (a), *e2e_b_ = (b);                                 \
        E2E_CHECK_MSG(e2e_a_ && e2e_b_ && strcmp(e2e_a_, e2e_b_) == 0,            \
                      "%s == %s: \"%s\" != \"%s\"", #a, #b,                      \
                      e2e_a_ ? e2e_a_ : "(null)", e2e_b_ ? e2e_b_ : "(null)");   \
    } while (0)

/* |a - b| <= tol * max(1, |b|), in long double. */
#define E2E_NEAR(a, b, tol)                                                      \
    do {                                                                         \
        long double e2e_a_ = (a), e2e_b_ = (b);                                  \
        long double e2e_d_ = e2e_a_ - e2e_b_, e2e_m_ = e2e_b_;                   \
        if (e2e_d_ < 0) e2e_d_ = -e2e_d_;                                        \
        if (e2e_m_ < 0) e2e_m_ = -e2e_m_;                                        \
        if (e2e_m_ < 1) e2e_m_ = 1;                                              \
        E2E_CHECK_MSG(e2e_d_ <= (tol) * e2e_m_, "%s ~= %s: %.21Lg != %.21Lg", #a, \
                      #b, e2e_a_, e2e_b_);                                       \
    } while (0)

E2E_STATIC int e2e_done(const char *test)
{
    printf("%s: %lu checks passed\n", test, e2e_checks);
    return 0;
}

/* Let p's address escape (to a global the compiler must keep): a local whose
 * address is passed here goes to a side frame, off the moving stack. */
E2E_STATIC void *volatile e2e_escaped;
__attribute__((noinline)) E2E_STATIC void e2e_escape(void *p)
{
    e2e_escaped = p;
}

/* ---- running code at depth ------------------------------------------------ */

typedef void (*e2e_fn)(void *arg);

/* One frame of roughly 64-80 bytes per level; the volatile buffer and the use
 * of the result after the call keep the compiler from flattening the recursion
 * into a loop or a tail call. The buffer is indexed by a variable (k): at
 * constant offsets clang would keep only the bytes touched. */
__attribute__((noinline)) E2E_STATIC long e2e_descend(int depth, e2e_fn fn, void *arg)
{
    volatile char pad[40];
    const int k = depth & 7;
    pad[k] = (char)depth;
    pad[39 - k] = 1;
    if (depth <= 0) {
        fn(arg);
        return pad[39 - k];
    }
    long r = e2e_descend(depth - 1, fn, arg);
    return r + pad[39 - k] + (pad[k] == (char)depth ? 0 : 1000000);
}

/* Call fn(arg) at depth d (fails if a frame on the way was corrupted). */
E2E_STATIC void e2e_at_depth(int d, e2e_fn fn, void *arg)
{
    long r = e2e_descend(d, fn, arg);
    E2E_CHECK_MSG(r == d + 1, "frames corrupted on the way down to depth %d (%ld)", d, r);
}

/* Call fn(arg) at depths 0..47 (every offset near the first boundaries), then
 * at a few deep ones. The deepest uses about 250 KB: fine for fixed mode's
 * default 8 MiB. */
E2E_STATIC void e2e_at_depths(e2e_fn fn, void *arg)
{
    static const int deep[] = {64, 100, 257, 513, 1000, 3000};
    for (int d = 0; d < 48; d++)
        e2e_at_depth(d, fn, arg);
    for (size_t i = 0; i < sizeof deep / sizeof deep[0]; i++)
        e2e_at_depth(deep[i], fn, arg);
}

/* ---- running this program as a child ------------------------------------ */

struct e2e_child {
    int status;   /* exit status, or 128 + signal number */
    char *out;    /* everything written to stdout (NUL-terminated) */
    size_t out_len;
    char *err;    /* everything written to stderr (NUL-terminated) */
    size_t err_len;
};

E2E_STATIC void e2e_append(char **buf, size_t *len, const char *data, size_t n)
{
    char *p = realloc(*buf, *len + n + 1);
    if (!p) {
        perror("e2e: realloc");
        exit(1);
    }
    memcpy(p + *len, data, n);
    *len += n;
    p[*len] = '\0';
    *buf = p;
}

/* The environment for a child: ours, with `changes` applied. "NAME=value" sets
 * NAME, a bare "NAME" removes it. */
E2E_STATIC char **e2e_make_env(const char *const *changes)
{
    size_t n = 0, k = 0;
    while (environ[n])
        n++;
    size_t nc = 0;
    while (changes && changes[nc])
        nc++;
    char **env = calloc(n + nc + 1, sizeof *env);
    if (!env) {
        perror("e2e: calloc");
        exit(1);
    }
    for (size_t i = 0; i < n; i++) {
        int drop = 0;
        for (size_t c = 0; c < nc; c++) {
            size_t len = strcspn(changes[c], "=");
            if (strncmp(environ[i], changes[c], len) == 0 && environ[i][len] == '=')
                drop = 1;
        }
        if (!drop)
            env[k++] = environ[i];
    }
    for (size_t c = 0; c < nc; c++)
        if (strchr(changes[c], '='))
            env[k++] = (char *)changes[c];
    env[k] = NULL;
    return env;
}

/* Run /proc/self/exe with argv (argv[0] included, NULL-terminated), the
 * environment changes and stdin_data on its stdin; collect its output. */
E2E_STATIC void e2e_run_self(const char *const *argv, const char *const *env_changes,
                         const char *stdin_data, struct e2e_child *res)
{
    int in[2], out[2], err[2];
    memset(res, 0, sizeof *res);
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
        perror("e2e: pipe2");
        exit(1);
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    char **env = e2e_make_env(env_changes);
    /* The program's path, not "/proc/self/exe" itself: under valgrind
     * --trace-children=yes the child's valgrind would load its own binary
     * through that name (readlink is answered with the program's path). */
    static char self[4096];
    if (!self[0]) {
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0) {
            perror("e2e: readlink /proc/self/exe");
            exit(1);
        }
        self[n] = '\0';
    }
    pid_t pid;
    int rc = posix_spawn(&pid, self, &fa, NULL, (char *const *)argv, env);
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    if (rc) {
        fprintf(stderr, "e2e: posix_spawn %s: %s\n", self, strerror(rc));
        exit(1);
    }
    if (stdin_data) {
        size_t len = strlen(stdin_data), off = 0;
        while (off < len) {
            ssize_t w = write(in[1], stdin_data + off, len - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                break;
            off += (size_t)w;
        }
    }
    close(in[1]);

    e2e_append(&res->out, &res->out_len, "", 0);
    e2e_append(&res->err, &res->err_len, "", 0);
    struct pollfd fds[2] = {{.fd = out[0], .events = POLLIN}, {.fd = err[0], .events = POLLIN}};
    int open_fds = 2;
    while (open_fds) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            perror("e2e: poll");
            exit(1);
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[4096];
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                if (i == 0)
                    e2e_append(&res->out, &res->out_len, buf, (size_t)n);
                else
                    e2e_append(&res->err, &res->err_len, buf, (size_t)n);
            } else if (n == 0 || errno != EINTR) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            }
        }
    }
    int ws;
    while (waitpid(pid, &ws, 0) < 0) {
        if (errno != EINTR) {
            perror("e2e: waitpid");
            exit(1);
        }
    }
    res->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

E2E_STATIC void e2e_child_free(struct e2e_child *c)
{
    free(c->out);
    free(c->err);
}

/* Check a child's status and output; on mismatch show everything it said. */
#define E2E_CHILD_EXPECT(child, want_status, want_out, want_err)                 \
    do {                                                                         \
        const struct e2e_child *e2e_c_ = (child);                                \
        const char *e2e_wo_ = (want_out), *e2e_we_ = (want_err);                 \
        E2E_CHECK_MSG(e2e_c_->status == (want_status) &&                         \
                          (!e2e_wo_ || strcmp(e2e_c_->out, e2e_wo_) == 0) &&     \
                          (!e2e_we_ || strcmp(e2e_c_->err, e2e_we_) == 0),       \
                      "child: status %d (want %d)\n--- stdout:\n%s--- want:\n%s"  \
                      "--- stderr:\n%s--- want:\n%s---",                         \
                      e2e_c_->status, (want_status), e2e_c_->out,                \
                      e2e_wo_ ? e2e_wo_ : "(any)\n", e2e_c_->err,                \
                      e2e_we_ ? e2e_we_ : "(any)\n");                            \
    } while (0)

/* Install handler h for sig with sa_flags `flags` (SA_RESTART or 0) and an
 * empty mask. */
E2E_STATIC void e2e_handle(int sig, void (*h)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    E2E_CHECK_MSG(sigaction(sig, &sa, NULL) == 0, "sigaction(%d): %s", sig, strerror(errno));
}

/* A TCP listener on 127.0.0.1 at a port the kernel picks (the tests' servers
 * use loopback only); its address in *addr when addr is not NULL. */
E2E_STATIC int e2e_listen_loopback(int backlog, struct sockaddr_in *addr)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    E2E_CHECK_MSG(l >= 0, "socket: %s", strerror(errno));
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    E2E_CHECK_MSG(bind(l, (struct sockaddr *)&a, sizeof a) == 0, "bind: %s", strerror(errno));
    E2E_CHECK_MSG(getsockname(l, (struct sockaddr *)&a, &len) == 0, "getsockname: %s",
                  strerror(errno));
    E2E_CHECK_MSG(listen(l, backlog) == 0, "listen: %s", strerror(errno));
    if (addr)
        *addr = a;
    return l;
}

#endif
