/* echo_epoll.c - the stackless baseline of the echo benchmark: one thread, one epoll set,
 * edge-triggered, each connection a small state machine (docs/bench/echo.md).
 *
 *   echo_epoll [--port P] [--max-seconds S]
 *
 * This is what a C programmer writes when a thread or a stack per connection is too
 * expensive: the connection's whole state is `struct conn` (the fd, the bytes not yet
 * written back, and the ECHO_BUF_BYTES buffer every server of the benchmark keeps), and the
 * control flow that a blocking-style server keeps on a stack is spelled out by hand in
 * conn_pump().
 *
 * Edge-triggered hazard: an edge is reported once. Every handler therefore works until the
 * kernel says EAGAIN (accept until EAGAIN, read until EAGAIN unless output is pending,
 * write until EAGAIN or empty); stopping early on a short read would lose the wake-up.
 */
#define _GNU_SOURCE
#include "echo_common.h"

#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>

struct conn {
    int fd;
    uint32_t len; /* bytes in buf */
    uint32_t off; /* bytes of buf already written back */
    char buf[ECHO_BUF_BYTES];
};

/* epoll_event.data.ptr of the two non-connection descriptors. */
static char tag_listen, tag_signal;

static uint64_t accepted, closed, live, max_live, accept_errors, io_errors;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void conn_close(struct conn *c)
{
    close(c->fd); /* also removes it from the epoll set */
    free(c);
    closed++;
    live--;
}

/* Move bytes until the kernel says EAGAIN: write back what is pending, then read more.
 * Returns 0 to keep the connection, -1 once it was closed. */
static int conn_pump(struct conn *c)
{
    for (;;) {
        if (c->off < c->len) {
            ssize_t n = write(c->fd, c->buf + c->off, c->len - c->off);
            if (n < 0) {
                if (errno == EAGAIN)
                    return 0; /* EPOLLOUT will come */
                if (errno == EINTR)
                    continue;
                if (errno != EPIPE && errno != ECONNRESET)
                    io_errors++;
                conn_close(c);
                return -1;
            }
            c->off += (uint32_t)n;
            continue;
        }
        ssize_t n = read(c->fd, c->buf, sizeof c->buf);
        if (n > 0) {
            c->len = (uint32_t)n;
            c->off = 0;
            continue;
        }
        if (n < 0 && errno == EAGAIN)
            return 0;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != ECONNRESET)
            io_errors++;
        conn_close(c); /* EOF: the client is done */
        return -1;
    }
}

static void accept_all(int lfd, int ep)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN)
                return;
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            /* EMFILE/ENFILE/ENOMEM: the pending connection stays queued; report once per
             * burst and come back at the next edge. */
            accept_errors++;
            if (accept_errors == 1)
                fprintf(stderr, "echo-epoll: accept: %s (after %llu connections)\n",
                        strerror(errno), (unsigned long long)accepted);
            return;
        }
        struct conn *c = malloc(sizeof *c);
        if (!c) {
            close(fd);
            accept_errors++;
            continue;
        }
        c->fd = fd;
        c->len = c->off = 0;
        accepted++;
        if (++live > max_live)
            max_live = live;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                                 .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            fprintf(stderr, "echo-epoll: epoll_ctl: %s\n", strerror(errno));
            conn_close(c);
            continue;
        }
        (void)conn_pump(c); /* data may have arrived before the registration */
    }
}

int main(int argc, char **argv)
{
    int port = 0;
    long max_seconds = ECHO_MAX_SECONDS_DEFAULT;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc)
            port = (int)echo_parse_long("echo-epoll", argv[i], argv[i + 1]), i++;
        else if (!strcmp(argv[i], "--max-seconds") && i + 1 < argc)
            max_seconds = echo_parse_long("echo-epoll", argv[i], argv[i + 1]), i++;
        else {
            fprintf(stderr, "usage: echo_epoll [--port P] [--max-seconds S]\n");
            return 2;
        }
    }
    long hard;
    long nofile = echo_raise_nofile(1L << 20, &hard);

    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigprocmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    int sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
    int bound;
    int lfd = echo_listen("epoll", port, 1, &bound);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (lfd < 0 || sfd < 0 || ep < 0) {
        fprintf(stderr, "echo-epoll: setup failed: %s\n", strerror(errno));
        return 1;
    }
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.ptr = &tag_listen};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    ev = (struct epoll_event){.events = EPOLLIN, .data.ptr = &tag_signal};
    epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
    echo_print_ready("epoll", bound, nofile - 16);

    const uint64_t deadline = now_ms() + (uint64_t)max_seconds * 1000;
    const char *why = "max-seconds";
    struct epoll_event evs[256];
    for (;;) {
        uint64_t t = now_ms();
        if (t >= deadline)
            break;
        int n = epoll_wait(ep, evs, 256, (int)(deadline - t < 1000 ? deadline - t : 1000));
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "echo-epoll: epoll_wait: %s\n", strerror(errno));
            why = "error";
            break;
        }
        int stop = 0;
        for (int i = 0; i < n; i++) {
            void *p = evs[i].data.ptr;
            if (p == &tag_listen)
                accept_all(lfd, ep);
            else if (p == &tag_signal)
                stop = 1;
            else
                (void)conn_pump(p);
        }
        if (stop) {
            why = "signal";
            break;
        }
    }
    printf("echo-server exit impl=epoll reason=%s accepted=%llu closed=%llu max_live=%llu "
           "accept_errors=%llu io_errors=%llu\n",
           why, (unsigned long long)accepted, (unsigned long long)closed,
           (unsigned long long)max_live, (unsigned long long)accept_errors,
           (unsigned long long)io_errors);
    (void)hard;
    return 0;
}
