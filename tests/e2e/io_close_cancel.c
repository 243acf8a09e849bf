/* io_close_cancel - a parked call always comes back (runtime/io.c, wait.c,
 * netpoll.c): closing a descriptor a coroutine waits on (close, dup2 onto it,
 * gs_close) wakes the waiter with EBADF; gs_cancel ends a parked call with
 * ECANCELED (EINTR for the C library's calls), or the next one if the coroutine
 * is not parked; a dup of a closed descriptor keeps working; waits on a
 * listening socket end when it is closed. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <arpa/inet.h>
#include <growstack.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

static int wfd;
static long result, result_errno;

static void *reader(void *arg)
{
    char b[16];
    errno = 0;
    if (arg == (void *)1)
        result = gs_read(wfd, b, sizeof b, GS_FOREVER);
    else if (arg == (void *)2)
        result = accept(wfd, NULL, NULL);
    else if (arg == (void *)3) {
        struct pollfd p = {.fd = wfd, .events = POLLIN};
        result = poll(&p, 1, -1);
    } else
        result = read(wfd, b, sizeof b);
    result_errno = errno;
    return NULL;
}

static void expect_woken(gs_handle h, long want, long want_errno)
{
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    E2E_EQ_LONG(result, want);
    E2E_EQ_LONG(result_errno, want_errno);
}

static void closing(void)
{
    int sp[2];
    /* close(2) while a coroutine is parked in read(2). */
    E2E_EQ_LONG(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
    wfd = sp[0];
    gs_handle h = gs_spawn(reader, NULL);
    gs_yield();
    E2E_EQ_LONG(close(sp[0]), 0);
    expect_woken(h, -1, EBADF);
    /* gs_close while parked in gs_read. */
    E2E_EQ_LONG(socketpair(AF_UNIX, SOCK_STREAM, 0, sp + 0), 0);
    wfd = sp[0];
    h = gs_spawn(reader, (void *)1);
    gs_yield();
    E2E_EQ_LONG(gs_close(sp[0]), 0);
    expect_woken(h, -1, EBADF);
    close(sp[1]);
    /* dup2 onto the descriptor. */
    E2E_EQ_LONG(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
    wfd = sp[0];
    h = gs_spawn(reader, NULL);
    gs_yield();
    int other = open("/dev/null", O_RDONLY);
    E2E_EQ_LONG(dup2(other, sp[0]), sp[0]);
    expect_woken(h, -1, EBADF);
    close(other);
    close(sp[0]);
    close(sp[1]);
    /* poll() on it. */
    E2E_EQ_LONG(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
    wfd = sp[0];
    h = gs_spawn(reader, (void *)3);
    gs_yield();
    E2E_EQ_LONG(close(sp[0]), 0);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    E2E_EQ_LONG(result, 1); /* poll reports the closed descriptor: POLLNVAL */
    close(sp[1]);
    /* accept(2) on a listener that is closed. */
    int l = e2e_listen_loopback(8, NULL);
    wfd = l;
    h = gs_spawn(reader, (void *)2);
    gs_yield();
    E2E_EQ_LONG(close(l), 0);
    expect_woken(h, -1, EBADF);
}

/* A coroutine waits on a dup; the original number is closed. The waiter is not
 * woken by that close, and gets its data. */
static void dups(void)
{
    int sp[2];
    E2E_EQ_LONG(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
    int d = dup(sp[0]);
    E2E_CHECK(d >= 0);
    /* Both numbers registered: read on the original once. */
    E2E_EQ_LONG(write(sp[1], "a", 1), 1);
    char c;
    E2E_EQ_LONG(read(sp[0], &c, 1), 1);
    wfd = d;
    gs_handle h = gs_spawn(reader, NULL);
    gs_yield();
    E2E_EQ_LONG(close(sp[0]), 0);
    gs_yield();
    E2E_EQ_LONG(gs_done(h), 0); /* still waiting */
    E2E_EQ_LONG(write(sp[1], "hello", 5), 5);
    expect_woken(h, 5, 0);
    close(d);
    close(sp[1]);
}

/* ---- cancellation -------------------------------------------------------------------- */

static struct gs_chan *never;
static long cancel_rc[6];

static void *cancellable(void *arg)
{
    long k = (long)arg;
    int sp[2];
    char b[4];
    switch (k) {
    case 0:
        cancel_rc[k] = gs_sleep(3600LL * 1000000000);
        break;
    case 1: {
        long v;
        cancel_rc[k] = gs_chan_recv(never, &v, GS_FOREVER);
        break;
    }
    case 2:
        socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
        cancel_rc[k] = read(sp[0], b, sizeof b) == -1 ? errno : 0;
        close(sp[0]);
        close(sp[1]);
        break;
    case 3:
        socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
        cancel_rc[k] = gs_read(sp[0], b, sizeof b, GS_FOREVER) == -1 ? errno : 0;
        close(sp[0]);
        close(sp[1]);
        break;
    case 4:
        cancel_rc[k] = sleep(3600) > 0 ? EINTR : 0; /* the seconds left */
        break;
    case 5: {
        /* Cancelled before it ever parks: a call that can complete does, the
         * first one that would wait fails. */
        struct gs_chan *c = gs_chan_create(sizeof(long), 1);
        long v = 1;
        E2E_EQ_LONG(gs_chan_send(c, &v, GS_FOREVER), 0);
        E2E_EQ_LONG(gs_chan_recv(c, &v, GS_FOREVER), 0);
        cancel_rc[k] = gs_chan_recv(c, &v, GS_FOREVER);
        E2E_EQ_LONG(gs_chan_recv(c, &v, GS_NOWAIT), EAGAIN); /* consumed */
        gs_chan_destroy(c);
        break;
    }
    }
    return NULL;
}

static void cancelling(void)
{
    never = gs_chan_create(sizeof(long), 0);
    gs_handle h[6];
    for (long k = 0; k < 5; k++)
        h[k] = gs_spawn(cancellable, (void *)k);
    gs_yield(); /* all parked */
    for (int k = 0; k < 5; k++)
        E2E_EQ_LONG(gs_cancel(h[k]), 0);
    for (int k = 0; k < 5; k++)
        E2E_EQ_LONG(gs_join(h[k], NULL), 0);
    E2E_EQ_LONG(cancel_rc[0], ECANCELED);
    E2E_EQ_LONG(cancel_rc[1], ECANCELED);
    E2E_EQ_LONG(cancel_rc[2], EINTR); /* transparent: as a signal would */
    E2E_EQ_LONG(cancel_rc[3], ECANCELED);
    E2E_EQ_LONG(cancel_rc[4], EINTR);
    h[5] = gs_spawn(cancellable, (void *)5L);
    E2E_EQ_LONG(gs_cancel(h[5]), 0); /* not started yet */
    E2E_EQ_LONG(gs_join(h[5], NULL), 0);
    E2E_EQ_LONG(cancel_rc[5], ECANCELED);
    E2E_EQ_LONG(gs_cancel(h[5]), ESRCH); /* joined */
    E2E_EQ_LONG(gs_cancel(0), ESRCH);
    gs_chan_destroy(never);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    closing();
    dups();
    cancelling();
    return e2e_done("io_close_cancel");
}
