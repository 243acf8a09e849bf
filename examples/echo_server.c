/* echo_server.c - an echo server in the plain blocking style, one coroutine per connection.
 *
 *   echo_server [PORT [SECONDS]]      PORT 0 (the default) lets the kernel choose; the
 *                                     server stops by itself after SECONDS if given
 *
 * This is the program growstack's transparent mode is for (issue 15, docs/netpoll.md):
 * nothing but accept(), read() and write(), written as if each connection had a thread of
 * its own, while every connection is a coroutine on a stack of a few KiB that grows on
 * demand. Built with gscc, those calls park the calling coroutine when the socket is not
 * ready, and the thread's scheduler runs the others and sleeps in epoll_wait when none can
 * run: one thread serves tens of thousands of connections (tests/echo checks 10,000;
 * bench/echo/run.sh measures it beside the anchors, docs/bench/echo.md). With
 * GROWSTACK_NETPOLL=0 the same calls block the thread again, and main blocks in accept().
 *
 * Built with -DECHO_SERVER_THREADS, the same code starts a thread per connection instead
 * of a coroutine (start_connection() is the only difference).
 *
 * Same protocol as the benchmark's servers (bench/echo/echo_common.h): loopback only, a
 * 512-byte buffer per connection, one "echo-server ready ..." line on stdout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef ECHO_SERVER_THREADS
#include <pthread.h>
#define IMPL "example-threads"
#else
#include <growstack.h>
#define IMPL "example-growstack"
#endif

/* Write all n bytes (write() may take fewer). */
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

/* One connection, start to end: read what comes, write it back, until EOF. */
static void *serve(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char buf[512];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || write_all(fd, buf, (size_t)n) != 0)
            break;
    }
    close(fd);
    return NULL;
}

/* Run serve(fd) concurrently with the accept loop: the only line that differs. */
static int start_connection(int fd)
{
#ifdef ECHO_SERVER_THREADS
    static pthread_attr_t attr;
    static int attr_ready;
    if (!attr_ready) {
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, 64 * 1024);
        attr_ready = 1;
    }
    pthread_t t;
    int rc = pthread_create(&t, &attr, serve, (void *)(intptr_t)fd);
    if (rc != 0)
        errno = rc;
    return rc == 0 ? 0 : -1;
#else
    gs_handle h = gs_spawn(serve, (void *)(intptr_t)fd);
    if (!h)
        return -1;
    return gs_detach(h) == 0 ? 0 : -1;
#endif
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 0;
    if (argc > 2)
        alarm((unsigned)atoi(argv[2])); /* a bounded lifetime: SIGALRM ends the process */
    signal(SIGPIPE, SIG_IGN);           /* a peer that went away is write()'s EPIPE */
    struct rlimit rl;                   /* a descriptor per connection: all we may have */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 4096) != 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &len) != 0) {
        perror("echo_server: listen");
        return 1;
    }
    printf("echo-server ready impl=" IMPL " pid=%d port=%d max_conns=-1\n", (int)getpid(),
           ntohs(sa.sin_port));
    fflush(stdout);

    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("echo_server: accept");
            sleep(1); /* out of descriptors: let connections finish */
            continue;
        }
        if (start_connection(fd) != 0) {
            perror("echo_server: starting a connection");
            close(fd);
        }
    }
}
