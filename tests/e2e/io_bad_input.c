/* io_bad_input - bad input gives an error, never a hang (runtime/io.c): closed,
 * invalid and wrong-kind descriptors, negative deadlines and timeouts, passed
 * deadlines, GS_NOWAIT, refused connections, a peer that went away, bad event
 * masks. Each call must return at once (the test's timeout catches a hang). */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <arpa/inet.h>
#include <growstack.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>

#define CHECK_ERR(call, err)                                                      \
    do {                                                                          \
        errno = 0;                                                                \
        long r_ = (long)(call);                                                   \
        E2E_CHECK_MSG(r_ == -1 && errno == (err), "%s: %ld, errno %d (%s), want %s", \
                      #call, r_, errno, strerror(errno), #err);                   \
    } while (0)

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    char b[16];
    int sp[2];
    E2E_EQ_LONG(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
    int closed = dup(sp[0]);
    close(closed);

    /* Descriptors that are not open. */
    CHECK_ERR(read(closed, b, sizeof b), EBADF);
    CHECK_ERR(write(closed, b, sizeof b), EBADF);
    CHECK_ERR(read(-1, b, sizeof b), EBADF);
    CHECK_ERR(recv(closed, b, sizeof b, 0), EBADF);
    CHECK_ERR(accept(closed, NULL, NULL), EBADF);
    CHECK_ERR(gs_read(closed, b, sizeof b, GS_FOREVER), EBADF);
    CHECK_ERR(gs_write(-1, b, sizeof b, GS_FOREVER), EBADF);
    CHECK_ERR(gs_accept(closed, NULL, NULL, 0, GS_FOREVER), EBADF);
    CHECK_ERR(gs_wait_fd(closed, POLLIN, GS_FOREVER), EBADF);
    CHECK_ERR(gs_wait_fd(-1, POLLIN, GS_FOREVER), EBADF);
    struct pollfd p = {.fd = closed, .events = POLLIN};
    E2E_EQ_LONG(poll(&p, 1, -1), 1);
    E2E_EQ_LONG(p.revents, POLLNVAL);

    /* The wrong kind of descriptor. */
    int pp[2];
    E2E_EQ_LONG(pipe(pp), 0);
    CHECK_ERR(recv(pp[0], b, sizeof b, 0), ENOTSOCK);
    CHECK_ERR(send(pp[1], b, 1, 0), ENOTSOCK);
    CHECK_ERR(accept(pp[0], NULL, NULL), ENOTSOCK);
    CHECK_ERR(gs_accept(sp[0], NULL, NULL, 0, GS_FOREVER), EINVAL); /* not listening */
    CHECK_ERR(accept(sp[0], NULL, NULL), EINVAL);
    CHECK_ERR(read(pp[1], b, sizeof b), EBADF); /* the write end */
    int l = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_ERR(read(l, b, sizeof b), ENOTCONN);

    /* Deadlines: negative, passed, GS_NOWAIT. */
    CHECK_ERR(gs_read(sp[0], b, sizeof b, -1), EINVAL);
    CHECK_ERR(gs_recv(sp[0], b, sizeof b, 0, -7), EINVAL);
    CHECK_ERR(gs_wait_fd(sp[0], POLLIN, -1), EINVAL);
    CHECK_ERR(gs_read(sp[0], b, sizeof b, GS_NOWAIT), EAGAIN);
    CHECK_ERR(gs_read(sp[0], b, sizeof b, gs_now() - 1), ETIMEDOUT);
    gs_time t0 = gs_now();
    CHECK_ERR(gs_read(sp[0], b, sizeof b, gs_deadline_after(2000000)), ETIMEDOUT);
    E2E_CHECK(gs_now() - t0 >= 2000000);
    CHECK_ERR(gs_wait_fd(sp[0], 0, GS_FOREVER), EINVAL); /* neither POLLIN nor POLLOUT */
    E2E_EQ_LONG(gs_wait_fd(sp[0], POLLOUT, GS_FOREVER), POLLOUT);
    E2E_EQ_LONG(gs_sleep(-1), EINVAL);
    struct timespec bad = {0, -5};
    CHECK_ERR(nanosleep(&bad, NULL), EINVAL);
    bad = (struct timespec){0, 2000000000};
    CHECK_ERR(ppoll(&p, 1, &bad, NULL), EINVAL);

    /* Connections that cannot be made, and peers that went away. */
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    E2E_EQ_LONG(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
    E2E_EQ_LONG(getsockname(l, (struct sockaddr *)&sa, &len), 0);
    close(l); /* nobody listens on that port now */
    int c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_ERR(connect(c, (struct sockaddr *)&sa, sizeof sa), ECONNREFUSED);
    E2E_EQ_LONG(fcntl(c, F_GETFL) & O_NONBLOCK, 0); /* restored */
    close(c);
    c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_ERR(gs_connect(c, (struct sockaddr *)&sa, sizeof sa, GS_FOREVER), ECONNREFUSED);
    close(c);
    c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_ERR(gs_connect(c, (struct sockaddr *)&sa, sizeof sa, -1), EINVAL);
    CHECK_ERR(connect(c, NULL, 0), EINVAL);
    close(c);
    close(sp[1]);
    E2E_EQ_LONG(read(sp[0], b, sizeof b), 0); /* EOF */
    CHECK_ERR(write(sp[0], "x", 1), EPIPE);
    CHECK_ERR(gs_write(sp[0], "x", 1, GS_FOREVER), EPIPE);
    close(sp[0]);
    close(pp[0]);
    CHECK_ERR(write(pp[1], "x", 1), EPIPE);
    close(pp[1]);
    return e2e_done("io_bad_input");
}
