/* io.c - time and descriptors: gs_sleep, the explicit descriptor
 * calls (gs_read, gs_write, gs_recv, gs_send, gs_accept, gs_connect,
 * gs_wait_fd, gs_close) and transparent mode (the C library's read, write,
 * accept, connect, poll, nanosleep, ... as called from instrumented code in a
 * coroutine). API layer; docs/netpoll.md is the design, "Transparent mode"
 * the rules followed here.
 *
 * Invariants:
 *  - A step never leaves a descriptor's O_NONBLOCK flag changed: readiness is
 *    tested per call (MSG_DONTWAIT, RWF_NOWAIT, poll with a zero timeout). The
 *    one place the flag is set is connect() on a blocking socket, for the
 *    duration of the connect call itself (Linux has no per-call way to start a
 *    connection without waiting); it is restored before anything else runs.
 *  - A transparent call behaves as the blocking call would: the same result,
 *    errno, partial transfers (a blocking write or send on a stream writes
 *    everything; a read returns what is there), errno untouched on success,
 *    EINTR where a signal handler would interrupt the blocking call (each
 *    wait's class, GS_WAIT_INTR_*: wait.h, "Signals").
 *    It parks only on a coroutine stack, with GROWSTACK_NETPOLL=1, when
 *    another coroutine of the thread could run meanwhile (or the call has
 *    parked already), on a descriptor that is not ready and that the program
 *    has not made non-blocking itself (then EAGAIN, as without growstack).
 *    Everywhere else it is the plain call.
 *  - Arguments are read from the block (block.h) every time a step runs:
 *    after a park they may have been relocated with the stack.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "config.h"
#include "coro.h"
#include "fatal.h"
#include "io.h"
#include "mem.h"
#include "netpoll.h"
#include "wait.h"

void __chk_fail(void) __attribute__((noreturn));

/* ---- time ---------------------------------------------------------------------- */

static gs_time timespec_ns(const struct timespec *ts)
{
    if (ts->tv_sec > (GS_FOREVER - ts->tv_nsec) / 1000000000)
        return GS_FOREVER;
    return (gs_time)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static int timespec_valid(const struct timespec *ts)
{
    return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000;
}

/* A transparent call may park: on a coroutine stack, in transparent mode,
 * with another coroutine on the thread that could run meanwhile. The only
 * coroutine of its thread (main's, in a program that never spawns one) makes
 * the plain call: parking would wait for the same event in epoll_wait, at the
 * price of the attempts around it (a read of a pipe: three system calls when
 * data is there, six and the epoll calls when not, instead of one). Nothing
 * else can end such a wait: another thread cannot touch this thread's
 * coroutines (EXDEV), a signal handler cannot spawn one. */
static int parkable(const struct gs_block *b)
{
    return gs_wait_where(b) == GS_WHERE_CORO && gs_cfg.netpoll &&
           (b->wait || gs_coro_tls.nalive > 1); /* a call that parked goes on parking */
}

/* Return r as the plain call did (errno as it left it). */
static int plain(struct gs_block *b, int64_t r)
{
    b->ret = (uint64_t)r;
    return GS_BLOCK_DONE;
}

/* The outcome of a wait that ended, the wait given back. A wait that took
 * the signals held while the scheduler was idle (wait.h, "Signals") releases
 * them first: their handlers run here, in this coroutine's call, and may
 * leave it with siglongjmp. Woken only for them, it ends with EINTR if they
 * interrupt it, and with 0 otherwise: the step then waits again (a transfer
 * or accept retries, SA_RESTART). */
static int wait_outcome(struct gs_block *b)
{
    struct gs_wait *w = b->wait;
    int st = w->status, here = w->signals_here, intr = w->intr;
    unsigned seen[2] = {w->sig_seen[0], w->sig_seen[1]};
    /* Ended before the handlers run: one may leave with siglongjmp. */
    gs_wait_end(&gs_tls, w);
    b->wait = NULL;
    if (here) {
        gs_thread_release_signals(&gs_tls);
        if (st == GS_WAIT_SIGNALED)
            st = gs_wait_interrupted(&gs_tls, intr, seen) || intr == GS_WAIT_INTR_ALWAYS ? EINTR : 0;
    }
    return st;
}

/* A wait with no node (a deadline only); returns the step's result. intr:
 * which signal handlers end it (wait.h). */
static int wait_time(struct gs_block *b, const char *what, gs_time deadline, int intr)
{
    struct gs_thread *t = gs_api_thread();
    b->wait = gs_wait_begin(t, what, 0, 0, deadline);
    b->wait->intr = intr;
    return gs_wait_block(b, b->wait);
}

/* ---- sleeping -------------------------------------------------------------------- */

static int sleep_step(struct gs_block *b, gs_time deadline)
{
    if (b->wait) {
        int st = wait_outcome(b);
        return gs_wait_done(b, (uint64_t)(st == ETIMEDOUT ? 0 : st), 0);
    }
    if (deadline < 0)
        return gs_wait_done(b, EINVAL, 0);
    return wait_time(b, "gs_sleep", deadline, GS_WAIT_INTR_NONE);
}

int gs_io_sleep_step(struct gs_block *b)
{
    gs_time ns = (gs_time)b->arg[0];
    return sleep_step(b, b->wait || ns < 0 ? ns : gs_deadline_after(ns));
}

int gs_io_sleep_until_step(struct gs_block *b)
{
    return sleep_step(b, (gs_time)b->arg[0]);
}

/* nanosleep & co. in transparent mode: a signal handler (wait.h, "Signals")
 * or gs_cancel ends a parked sleep with EINTR and the time left. */
static void remaining(struct timespec *rem, gs_time deadline)
{
    gs_time left = deadline - gs_now();
    if (left < 0)
        left = 0;
    rem->tv_sec = left / 1000000000;
    rem->tv_nsec = left % 1000000000;
}

int gs_io_x_nanosleep_step(struct gs_block *b)
{
    const struct timespec *req = (const struct timespec *)b->arg[0];
    struct timespec *rem = (struct timespec *)b->arg[1];
    if (!parkable(b))
        return plain(b, nanosleep(req, rem));
    if (b->wait) {
        gs_time deadline = b->wait->deadline;
        int st = wait_outcome(b);
        if (st == ETIMEDOUT)
            return gs_wait_done(b, 0, 0);
        if (rem)
            remaining(rem, deadline);
        return gs_wait_done(b, (uint64_t)-1, st == ECANCELED ? EINTR : st);
    }
    gs_wait_save_errno(b);
    if (!req || !timespec_valid(req))
        return gs_wait_done(b, (uint64_t)-1, req ? EINVAL : EFAULT);
    return wait_time(b, "nanosleep", gs_deadline_after(timespec_ns(req)), GS_WAIT_INTR_ALWAYS);
}

int gs_io_x_clock_nanosleep_step(struct gs_block *b)
{
    clockid_t clk = (clockid_t)b->arg[0];
    int flags = (int)b->arg[1];
    const struct timespec *req = (const struct timespec *)b->arg[2];
    struct timespec *rem = (struct timespec *)b->arg[3];
    /* CPU-time clocks and the others have no deadline on the monotonic clock. */
    if (!parkable(b) || (clk != CLOCK_MONOTONIC && clk != CLOCK_REALTIME))
        return plain(b, clock_nanosleep(clk, flags, req, rem));
    if (b->wait) {
        gs_time deadline = b->wait->deadline;
        int st = wait_outcome(b);
        if (st == ETIMEDOUT)
            return gs_wait_done(b, 0, 0);
        if (rem && !(flags & TIMER_ABSTIME))
            remaining(rem, deadline);
        return gs_wait_done(b, (uint64_t)(st == ECANCELED ? EINTR : st), 0);
    }
    if (!req || !timespec_valid(req))
        return gs_wait_done(b, req ? EINVAL : EFAULT, 0);
    gs_time deadline;
    if (!(flags & TIMER_ABSTIME)) {
        deadline = gs_deadline_after(timespec_ns(req));
    } else if (clk == CLOCK_MONOTONIC) {
        deadline = timespec_ns(req);
    } else {
        /* An absolute CLOCK_REALTIME time, converted once: a later change of
         * the wall clock does not move the wake-up (documented). */
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        gs_time d = timespec_ns(req) - timespec_ns(&now);
        deadline = d <= 0 ? gs_now() : gs_deadline_after(d);
    }
    return wait_time(b, "clock_nanosleep", deadline, GS_WAIT_INTR_ALWAYS);
}

int gs_io_x_sleep_step(struct gs_block *b)
{
    unsigned s = (unsigned)b->arg[0];
    if (!parkable(b))
        return plain(b, sleep(s));
    if (b->wait) {
        gs_time deadline = b->wait->deadline;
        int st = wait_outcome(b);
        if (st == ETIMEDOUT)
            return gs_wait_done(b, 0, 0);
        /* The whole seconds not slept, as the C library's sleep() counts them. */
        gs_time left = deadline - gs_now();
        return gs_wait_done(b, left > 0 ? (uint64_t)(left / 1000000000) : 0, 0);
    }
    gs_wait_save_errno(b);
    return wait_time(b, "sleep", gs_deadline_after((gs_time)s * 1000000000), GS_WAIT_INTR_ALWAYS);
}

int gs_io_x_usleep_step(struct gs_block *b)
{
    useconds_t us = (useconds_t)b->arg[0];
    if (!parkable(b))
        return plain(b, usleep(us));
    if (b->wait) {
        int st = wait_outcome(b);
        return st == ETIMEDOUT ? gs_wait_done(b, 0, 0)
                               : gs_wait_done(b, (uint64_t)-1, st == ECANCELED ? EINTR : st);
    }
    gs_wait_save_errno(b);
    return wait_time(b, "usleep", gs_deadline_after((gs_time)us * 1000), GS_WAIT_INTR_ALWAYS);
}

/* ---- waiting for a descriptor ---------------------------------------------------- */

/* Queue a wait for fd to be ready for `dir` (POLLIN or POLLOUT) and block.
 * Returns a step result, or -EPERM-like negative errno when no wait could be
 * queued (-EPERM: epoll cannot watch this file). */
static int fd_wait(struct gs_block *b, int fd, short dir, gs_time deadline, const char *what,
                   int intr)
{
    struct gs_thread *t = gs_api_thread();
    struct gs_wait *w = gs_wait_begin(t, what, fd, 1, deadline);
    w->intr = intr;
    struct gs_wnode *n = gs_wait_nodes(w, 1, 0);
    n->op = (uint32_t)dir;
    int rc = gs_poll_add(t, fd, n);
    if (rc) {
        gs_wait_end(t, w);
        return -rc;
    }
    b->wait = w;
    return gs_wait_block(b, w);
}

/* b->state bit of the transparent descriptor calls: b->deadline holds the
 * socket's timeout, or 0 for none (sock_timeout). */
#define IO_TIMEO_KNOWN (1ull << 47)

/* A transparent call on a socket with SO_RCVTIMEO (reads, accept) or
 * SO_SNDTIMEO (writes, connect) set waits that long at most, as the blocking
 * call does: the deadline, from the call's first wait, kept in b->deadline
 * across parks; GS_WAIT_FOREVER when none is set or fd is not a socket. */
static gs_time sock_timeout(struct gs_block *b, int fd, int out)
{
    if (!(b->state & IO_TIMEO_KNOWN)) {
        b->state |= IO_TIMEO_KNOWN;
        struct timeval tv;
        socklen_t len = sizeof tv;
        int e = errno;
        if (getsockopt(fd, SOL_SOCKET, out ? SO_SNDTIMEO : SO_RCVTIMEO, &tv, &len) == 0 &&
            (tv.tv_sec > 0 || tv.tv_usec > 0))
            b->deadline = (uint64_t)gs_deadline_after((gs_time)tv.tv_sec * 1000000000 +
                                                      (gs_time)tv.tv_usec * 1000);
        errno = e;
    }
    return b->deadline ? (gs_time)b->deadline : GS_WAIT_FOREVER;
}

/* Which signal handlers end a transparent descriptor call's wait: one without
 * SA_RESTART; any when a socket timeout is set (the kernel never restarts
 * those: signal(7)) or when part of the data moved already (a pipe's or a
 * stream socket's blocking write then returns that part, SA_RESTART or not). */
static int transparent_intr(const struct gs_block *b)
{
    return b->deadline || b->progress ? GS_WAIT_INTR_ALWAYS : GS_WAIT_INTR_NORESTART;
}

/* A transparent call's error for how its wait ended: gs_cancel or a signal
 * handler is EINTR, the socket timeout `timed_out` (EAGAIN; connect's
 * EINPROGRESS). */
static int transparent_error(int st, int timed_out)
{
    return st == ECANCELED ? EINTR : st == ETIMEDOUT ? timed_out : st;
}

/* Whether the program made fd non-blocking itself. */
static int fd_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 && (fl & O_NONBLOCK);
}

/* Before waiting on fd for `dir`: a call that would fail at once must not wait
 * for readiness that never comes (a read on a descriptor open for writing
 * only: poll says "not ready", read says EBADF). Returns what to do: */
enum { W_WAIT, W_NONBLOCKING, W_PLAIN };
static int before_wait(int fd, short dir, int transparent)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return W_PLAIN; /* the call reports EBADF */
    int acc = fl & O_ACCMODE;
    if ((dir == POLLIN && acc == O_WRONLY) || (dir == POLLOUT && acc == O_RDONLY))
        return W_PLAIN;
    if (transparent && (fl & O_NONBLOCK))
        return W_NONBLOCKING;
    return W_WAIT;
}

/* What a descriptor that is not a socket needs. */
enum kind {
    K_NOWAIT,   /* pipes and FIFOs: RWF_NOWAIT                                  */
    K_POLL,     /* other pollable files (terminals, devices): poll, then call   */
    K_PLAIN,    /* regular files, block devices, directories: just call         */
    K_BAD,      /* fstat failed: errno says why (EBADF)                         */
};

static enum kind kind_of(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return K_BAD;
    if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
        return K_NOWAIT;
    if (S_ISCHR(st.st_mode))
        return K_POLL;
    return K_PLAIN;
}

/* poll(fd, dir, 0): ready, or an error or hangup a call would report. */
static int ready_now(int fd, short dir)
{
    struct pollfd p = {.fd = fd, .events = dir};
    return poll(&p, 1, 0) != 0;
}

/* ---- data transfers ------------------------------------------------------------- */

enum xop { X_READ, X_READV, X_RECV, X_RECVFROM, X_RECVMSG,
           X_WRITE, X_WRITEV, X_SEND, X_SENDTO, X_SENDMSG };

struct xdesc {
    enum xop op;
    const char *what;
    int transparent;
    int deadline_arg;           /* explicit calls: which argument is the deadline */
};

/* A transfer decoded from the block. */
struct xfer {
    enum xop op;
    int fd;
    int out;                    /* a write (POLLOUT)                             */
    int sock_call;              /* recv/send family: flags, no file fallback     */
    int flags;
    const struct iovec *iov;
    int iovcnt;
    struct iovec one;
    struct msghdr *msg;         /* recvmsg/sendmsg                                */
    void *name;                 /* recvfrom's addr, sendto's address             */
    socklen_t *namelen;         /* recvfrom's addrlen                            */
    socklen_t tolen;            /* sendto's addrlen                              */
    size_t total;
};

static void decode(const struct gs_block *b, enum xop op, struct xfer *x)
{
    memset(x, 0, sizeof *x);
    x->op = op;
    x->fd = (int)b->arg[0];
    x->out = op >= X_WRITE;
    x->sock_call = op != X_READ && op != X_READV && op != X_WRITE && op != X_WRITEV;
    switch (op) {
    case X_READV:
    case X_WRITEV:
        x->iov = (const struct iovec *)b->arg[1];
        x->iovcnt = (int)b->arg[2];
        break;
    case X_RECVMSG:
    case X_SENDMSG:
        x->msg = (struct msghdr *)b->arg[1];
        x->flags = (int)b->arg[2];
        if (x->msg) {
            x->iov = x->msg->msg_iov;
            x->iovcnt = (int)x->msg->msg_iovlen;
        }
        break;
    default:
        x->one.iov_base = (void *)b->arg[1];
        x->one.iov_len = (size_t)b->arg[2];
        x->iov = &x->one;
        x->iovcnt = 1;
        if (x->sock_call)
            x->flags = (int)b->arg[3];
        if (op == X_RECVFROM) {
            x->name = (void *)b->arg[4];
            x->namelen = (socklen_t *)b->arg[5];
        } else if (op == X_SENDTO) {
            x->name = (void *)b->arg[4];
            x->tolen = (socklen_t)b->arg[5];
        }
    }
    for (int i = 0; x->iov && i < x->iovcnt && i < IOV_MAX; i++)
        x->total += x->iov[i].iov_len;
}

/* The call exactly as the program made it, for what is left after `done` bytes
 * (a plain, possibly blocking call). */
static ssize_t xfer_plain(const struct xfer *x, const struct gs_block *b, struct iovec *adv,
                          int advcnt)
{
    switch (x->op) {
    case X_READ: return read(x->fd, adv[0].iov_base, adv[0].iov_len);
    case X_WRITE: return write(x->fd, adv[0].iov_base, adv[0].iov_len);
    case X_READV: return readv(x->fd, adv, advcnt);
    case X_WRITEV: return writev(x->fd, adv, advcnt);
    case X_RECV: return recv(x->fd, adv[0].iov_base, adv[0].iov_len, x->flags);
    case X_SEND: return send(x->fd, adv[0].iov_base, adv[0].iov_len, x->flags);
    case X_RECVFROM:
        return recvfrom(x->fd, adv[0].iov_base, adv[0].iov_len, x->flags, x->name, x->namelen);
    case X_SENDTO:
        return sendto(x->fd, adv[0].iov_base, adv[0].iov_len, x->flags, x->name, x->tolen);
    case X_RECVMSG:
    case X_SENDMSG: {
        if (!x->msg)
            return x->op == X_RECVMSG ? recvmsg(x->fd, NULL, x->flags)
                                      : sendmsg(x->fd, NULL, x->flags);
        struct msghdr m = *x->msg;
        m.msg_iov = adv;
        m.msg_iovlen = (size_t)advcnt;
        ssize_t r = x->op == X_RECVMSG ? recvmsg(x->fd, &m, x->flags) : sendmsg(x->fd, &m, x->flags);
        if (r >= 0 && x->op == X_RECVMSG) {
            x->msg->msg_namelen = m.msg_namelen;
            x->msg->msg_controllen = m.msg_controllen;
            x->msg->msg_flags = m.msg_flags;
        }
        return r;
    }
    }
    (void)b;
    errno = EINVAL;
    return -1;
}

/* The caller's iovecs without their first `done` bytes. Most calls have one
 * (read, write, recv, send) or a few; a vector longer than GS_IOV_LOCAL that is
 * partly done is copied to the heap (the step runs on the system stack, which
 * may be a thread's small stack). */
#define GS_IOV_LOCAL 16

struct iovs {
    struct iovec *v;
    int n;
    struct iovec local[GS_IOV_LOCAL];
    struct iovec *heap;
};

static int advance(const struct xfer *x, size_t done, struct iovs *a)
{
    a->heap = NULL;
    int cnt = x->iovcnt < 0 ? 0 : x->iovcnt > IOV_MAX ? IOV_MAX : x->iovcnt;
    if (done == 0) {
        a->v = (struct iovec *)x->iov;
        a->n = x->iovcnt;
        return 0;
    }
    a->v = a->local;
    if (cnt > GS_IOV_LOCAL) {
        a->heap = gs_mem_malloc((size_t)cnt * sizeof *a->heap);
        if (!a->heap)
            return ENOMEM;
        a->v = a->heap;
    }
    a->n = 0;
    for (int i = 0; i < cnt; i++) {
        struct iovec v = x->iov[i];
        if (done >= v.iov_len) {
            done -= v.iov_len;
            continue;
        }
        v.iov_base = (char *)v.iov_base + done;
        v.iov_len -= done;
        done = 0;
        a->v[a->n++] = v;
    }
    return 0;
}

/* call (xfer_plain or attempt_iov) for what is left after `done` bytes: its
 * result and errno, or -1 with ENOMEM if the vector of what is left cannot be
 * made. Inlined, so that each caller calls its `call` directly. */
static inline __attribute__((always_inline)) ssize_t
on_rest(const struct xfer *x, const struct gs_block *b, size_t done,
        ssize_t (*call)(const struct xfer *, const struct gs_block *, struct iovec *, int))
{
    struct iovs a;
    if (advance(x, done, &a)) {
        errno = ENOMEM;
        return -1;
    }
    ssize_t r = call(x, b, a.v, a.n);
    int e = errno;
    gs_mem_free(a.heap);
    errno = e;
    return r;
}

/* One attempt that does not wait. Returns the bytes moved (>= 0), or -1 with
 * errno: EAGAIN means "not ready: wait for x->out ? POLLOUT : POLLIN". */
static ssize_t attempt_iov(const struct xfer *x, const struct gs_block *b, struct iovec *adv, int n)
{
    if (x->sock_call) {
        struct msghdr m = {0};
        if (x->msg)
            m = *x->msg;
        m.msg_iov = adv;
        m.msg_iovlen = (size_t)n;
        if (x->op == X_RECVFROM) {
            m.msg_name = x->name;
            m.msg_namelen = x->name && x->namelen ? *x->namelen : 0;
        } else if (x->op == X_SENDTO) {
            m.msg_name = x->name;
            m.msg_namelen = x->tolen;
        }
        ssize_t r = x->out ? sendmsg(x->fd, &m, x->flags | MSG_DONTWAIT)
                           : recvmsg(x->fd, &m, x->flags | MSG_DONTWAIT);
        if (r >= 0 && x->op == X_RECVFROM && x->name && x->namelen)
            *x->namelen = m.msg_namelen;
        if (r >= 0 && x->op == X_RECVMSG && x->msg) {
            x->msg->msg_namelen = m.msg_namelen;
            x->msg->msg_controllen = m.msg_controllen;
            x->msg->msg_flags = m.msg_flags;
        }
        return r;
    }
    ssize_t r;
    if (x->out) {
        /* RWF_NOWAIT is write() itself, without waiting, on sockets and pipes.
         * Regular files refuse it (EOPNOTSUPP) or may say EAGAIN (would wait
         * for the disk): those are written plainly. */
        r = pwritev2(x->fd, adv, n, -1, RWF_NOWAIT);
        if (r >= 0 || (errno != EAGAIN && errno != EOPNOTSUPP))
            return r;
        int e = errno;
        switch (kind_of(x->fd)) {
        case K_BAD: return -1;
        case K_PLAIN: return xfer_plain(x, b, adv, n);
        case K_POLL:
            if (!ready_now(x->fd, POLLOUT)) {
                errno = EAGAIN;
                return -1;
            }
            return xfer_plain(x, b, adv, n);
        case K_NOWAIT: errno = e == EOPNOTSUPP ? EAGAIN : e; return -1;
        }
    }
    /* Reads: a socket first (one system call: the common case); RWF_NOWAIT on a
     * regular file could return short reads, which read() never does there. */
    if (x->op == X_READ)
        r = recv(x->fd, adv[0].iov_base, adv[0].iov_len, MSG_DONTWAIT);
    else {
        struct msghdr m = {.msg_iov = adv, .msg_iovlen = (size_t)n};
        r = recvmsg(x->fd, &m, MSG_DONTWAIT);
    }
    if (r >= 0 || errno != ENOTSOCK)
        return r;
    switch (kind_of(x->fd)) {
    case K_BAD: return -1;
    case K_PLAIN: return xfer_plain(x, b, adv, n);
    case K_NOWAIT:
        r = preadv2(x->fd, adv, n, -1, RWF_NOWAIT);
        if (r >= 0 || errno != EOPNOTSUPP)
            return r;
        /* fall through: a pipe on a kernel without RWF_NOWAIT for pipes */
    case K_POLL:
        if (!ready_now(x->fd, POLLIN)) {
            errno = EAGAIN;
            return -1;
        }
        return xfer_plain(x, b, adv, n);
    }
    return r;
}

/* b->state bits of transfers (the low 32 bits are the saved errno). */
#define XS_STARTED (1ull << 40)
#define XS_WAITALL (1ull << 41)       /* recv MSG_WAITALL on a stream socket      */

static int xfer_finish(struct gs_block *b, ssize_t r, int err)
{
    size_t done = (size_t)b->progress;
    if (done > 0)
        return gs_wait_done(b, done, 0);
    return gs_wait_done(b, (uint64_t)r, r < 0 ? err : 0);
}

static int xfer_step(struct gs_block *b, const struct xdesc *d)
{
    struct xfer x;
    decode(b, d->op, &x);
    gs_time deadline = d->transparent ? GS_WAIT_FOREVER : (gs_time)b->arg[d->deadline_arg];
    if (d->transparent && !parkable(b))
        return plain(b, on_rest(&x, b, 0, xfer_plain));
    if (b->wait) {
        int st = wait_outcome(b);
        if (st)
            return xfer_finish(b, -1, d->transparent ? transparent_error(st, EAGAIN) : st);
    } else if (!(b->state & XS_STARTED)) {
        gs_wait_save_errno(b);
        b->state |= XS_STARTED;
        if (!d->transparent && deadline < 0)
            return gs_wait_done(b, (uint64_t)-1, EINVAL);
        /* Calls that cannot wait: nothing to move, a non-blocking call the
         * program asked for, arguments the kernel will reject. */
        if (x.total == 0 || (x.sock_call && (x.flags & MSG_DONTWAIT)) || x.iovcnt < 0 ||
            x.iovcnt > IOV_MAX || (x.msg == NULL && (x.op == X_RECVMSG || x.op == X_SENDMSG))) {
            b->ret = (uint64_t)on_rest(&x, b, 0, xfer_plain);
            if ((int64_t)b->ret >= 0)
                gs_wait_restore_errno(b);
            return GS_BLOCK_DONE;
        }
        if (!x.out && (x.flags & MSG_WAITALL)) {
            int type = 0;
            socklen_t len = sizeof type;
            if (getsockopt(x.fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM)
                b->state |= XS_WAITALL;
        }
    }
    int all = x.out || (b->state & XS_WAITALL);
    for (;;) {
        ssize_t r = on_rest(&x, b, (size_t)b->progress, attempt_iov);
        if (r >= 0) {
            b->progress += (uint64_t)r;
            if (all && r > 0 && b->progress < x.total)
                continue;
            return xfer_finish(b, r, 0);
        }
        int e = errno;
        if (e != EAGAIN && e != EWOULDBLOCK)
            return xfer_finish(b, -1, e);
        /* Not ready. */
        short dir = x.out ? POLLOUT : POLLIN;
        int how = before_wait(x.fd, dir, d->transparent);
        if (how == W_NONBLOCKING || (how == W_WAIT && !d->transparent && deadline == GS_NOWAIT))
            return xfer_finish(b, -1, EAGAIN);
        if (d->transparent && how == W_WAIT)
            deadline = sock_timeout(b, x.fd, x.out);
        int rc = how == W_PLAIN ? -EPERM
                                : fd_wait(b, x.fd, dir, deadline, d->what,
                                          d->transparent ? transparent_intr(b) : GS_WAIT_INTR_NONE);
        if (rc == -EPERM) {
            /* epoll cannot watch it: the plain call, as without growstack. */
            r = on_rest(&x, b, (size_t)b->progress, xfer_plain);
            if (r > 0)
                b->progress += (uint64_t)r;
            return xfer_finish(b, r, errno);
        }
        if (rc < 0)
            return xfer_finish(b, -1, -rc);
        return rc;
    }
}

/* The transfer steps: one description each (the operation, the name for
 * reports, transparent or explicit, the index of the deadline argument). */
int gs_io_read_step(struct gs_block *b)
{
    static const struct xdesc d = {X_READ, "gs_read", 0, 3};
    return xfer_step(b, &d);
}

int gs_io_write_step(struct gs_block *b)
{
    static const struct xdesc d = {X_WRITE, "gs_write", 0, 3};
    return xfer_step(b, &d);
}

int gs_io_recv_step(struct gs_block *b)
{
    static const struct xdesc d = {X_RECV, "gs_recv", 0, 4};
    return xfer_step(b, &d);
}

int gs_io_send_step(struct gs_block *b)
{
    static const struct xdesc d = {X_SEND, "gs_send", 0, 4};
    return xfer_step(b, &d);
}

int gs_io_x_read_step(struct gs_block *b)
{
    static const struct xdesc d = {X_READ, "read", 1, 0};
    return xfer_step(b, &d);
}

int gs_io_x_write_step(struct gs_block *b)
{
    static const struct xdesc d = {X_WRITE, "write", 1, 0};
    return xfer_step(b, &d);
}

int gs_io_x_readv_step(struct gs_block *b)
{
    static const struct xdesc d = {X_READV, "readv", 1, 0};
    return xfer_step(b, &d);
}

int gs_io_x_writev_step(struct gs_block *b)
{
    static const struct xdesc d = {X_WRITEV, "writev", 1, 0};
    return xfer_step(b, &d);
}

int gs_io_x_recv_step(struct gs_block *b)
{
    static const struct xdesc d = {X_RECV, "recv", 1, 0};
    return xfer_step(b, &d);
}

int gs_io_x_recvfrom_step(struct gs_block *b)
{
    static const struct xdesc d = {X_RECVFROM, "recvfrom", 1, 0};
    return xfer_step(b, &d);
}

int gs_io_x_recvmsg_step(struct gs_block *b)
{
    static const struct xdesc d = {X_RECVMSG, "recvmsg", 1, 0};
    return xfer_step(b, &d);
}

int gs_io_x_send_step(struct gs_block *b)
{
    static const struct xdesc d = {X_SEND, "send", 1, 0};
    return xfer_step(b, &d);
}

int gs_io_x_sendto_step(struct gs_block *b)
{
    static const struct xdesc d = {X_SENDTO, "sendto", 1, 0};
    return xfer_step(b, &d);
}

int gs_io_x_sendmsg_step(struct gs_block *b)
{
    static const struct xdesc d = {X_SENDMSG, "sendmsg", 1, 0};
    return xfer_step(b, &d);
}

/* The fortified forms (_FORTIFY_SOURCE): the check, then the call. */
int gs_io_x_read_chk_step(struct gs_block *b)
{
    if (b->arg[2] > b->arg[3])
        __chk_fail();
    return gs_io_x_read_step(b);
}

int gs_io_x_recv_chk_step(struct gs_block *b)
{
    /* __recv_chk(fd, buf, len, buflen, flags) */
    if (!(b->state & XS_STARTED)) {
        if (b->arg[2] > b->arg[3])
            __chk_fail();
        b->arg[3] = b->arg[4];
    }
    return gs_io_x_recv_step(b);
}

/* ---- accept and connect ---------------------------------------------------------- */

static int accept_step(struct gs_block *b, int transparent, gs_time deadline, const char *what)
{
    int fd = (int)b->arg[0];
    struct sockaddr *addr = (struct sockaddr *)b->arg[1];
    socklen_t *addrlen = (socklen_t *)b->arg[2];
    int flags = (int)b->arg[3];
    if (b->wait) {
        int st = wait_outcome(b);
        if (st)
            return gs_wait_done(b, (uint64_t)-1, transparent ? transparent_error(st, EAGAIN) : st);
    } else {
        gs_wait_save_errno(b);
        if (!transparent && deadline < 0)
            return gs_wait_done(b, (uint64_t)-1, EINVAL);
    }
    /* accept4 has no per-call "do not wait": poll first. With one listener
     * shared by several threads or processes another one may take the
     * connection between the two calls; the accept then waits in the kernel
     * (docs/netpoll.md). */
    int ready = ready_now(fd, POLLIN);
    if (ready || (transparent && fd_nonblocking(fd))) {
        int r = accept4(fd, addr, addrlen, flags);
        int e = errno;
        if (r >= 0)
            return gs_wait_done(b, (uint64_t)r, 0);
        if (e != EAGAIN || (transparent && fd_nonblocking(fd)))
            return gs_wait_done(b, (uint64_t)-1, e);
    }
    /* Not a listening socket (or not a socket): accept fails at once, it must
     * not wait for a readiness that never comes. */
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) {
        int r = accept4(fd, addr, addrlen, flags);
        return gs_wait_done(b, (uint64_t)(int64_t)r, r < 0 ? errno : 0);
    }
    if (!transparent && deadline == GS_NOWAIT)
        return gs_wait_done(b, (uint64_t)-1, EAGAIN);
    if (transparent)
        deadline = sock_timeout(b, fd, 0);
    int rc = fd_wait(b, fd, POLLIN, deadline, what,
                     transparent ? transparent_intr(b) : GS_WAIT_INTR_NONE);
    if (rc < 0) {
        if (rc != -EPERM)
            return gs_wait_done(b, (uint64_t)-1, -rc);
        return plain(b, accept4(fd, addr, addrlen, flags));
    }
    return rc;
}

int gs_io_accept_step(struct gs_block *b)
{
    return accept_step(b, 0, (gs_time)b->arg[4], "gs_accept");
}

int gs_io_x_accept_step(struct gs_block *b)
{
    if (!parkable(b))
        return plain(b, accept((int)b->arg[0], (struct sockaddr *)b->arg[1],
                               (socklen_t *)b->arg[2]));
    b->arg[3] = 0;
    return accept_step(b, 1, GS_WAIT_FOREVER, "accept");
}

int gs_io_x_accept4_step(struct gs_block *b)
{
    if (!parkable(b))
        return plain(b, accept4((int)b->arg[0], (struct sockaddr *)b->arg[1],
                                (socklen_t *)b->arg[2], (int)b->arg[3]));
    return accept_step(b, 1, GS_WAIT_FOREVER, "accept4");
}

/* b->state bit: the connection is under way, waiting for it to finish. */
#define CS_PENDING (1ull << 40)

static int connect_step(struct gs_block *b, int transparent, gs_time deadline, const char *what)
{
    int fd = (int)b->arg[0];
    const struct sockaddr *addr = (const struct sockaddr *)b->arg[1];
    socklen_t len = (socklen_t)b->arg[2];
    if (b->wait) {
        int st = wait_outcome(b);
        if (st)
            return gs_wait_done(b, (uint64_t)-1,
                                transparent ? transparent_error(st, EINPROGRESS) : st);
    }
    if (!(b->state & CS_PENDING)) {
        gs_wait_save_errno(b);
        if (!transparent && deadline < 0)
            return gs_wait_done(b, (uint64_t)-1, EINVAL);
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0)
            return gs_wait_done(b, (uint64_t)-1, errno);
        if (transparent && (fl & O_NONBLOCK))
            return plain(b, connect(fd, addr, len));
        /* The one change of O_NONBLOCK (see the top of the file). */
        if (!(fl & O_NONBLOCK))
            fcntl(fd, F_SETFL, fl | O_NONBLOCK);
        int r = connect(fd, addr, len);
        int e = errno;
        if (!(fl & O_NONBLOCK))
            fcntl(fd, F_SETFL, fl);
        if (r == 0)
            return gs_wait_done(b, 0, 0);
        if (e == EAGAIN && !(fl & O_NONBLOCK)) {
            /* A Unix socket whose listener's backlog is full: the kernel
             * offers nothing to wait on; the blocking call. */
            return plain(b, connect(fd, addr, len));
        }
        if (e != EINPROGRESS)
            return gs_wait_done(b, (uint64_t)-1, e);
        b->state |= CS_PENDING;
    } else if (ready_now(fd, POLLOUT)) {
        int err = 0;
        socklen_t elen = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
            err = errno;
        return gs_wait_done(b, err ? (uint64_t)-1 : 0, err);
    }
    if (!transparent && deadline == GS_NOWAIT)
        return gs_wait_done(b, (uint64_t)-1, EINPROGRESS);
    if (transparent)
        deadline = sock_timeout(b, fd, 1);
    int rc = fd_wait(b, fd, POLLOUT, deadline, what,
                     transparent ? transparent_intr(b) : GS_WAIT_INTR_NONE);
    if (rc < 0)
        return gs_wait_done(b, (uint64_t)-1, -rc);
    return rc;
}

int gs_io_connect_step(struct gs_block *b)
{
    return connect_step(b, 0, (gs_time)b->arg[3], "gs_connect");
}

int gs_io_x_connect_step(struct gs_block *b)
{
    if (!parkable(b))
        return plain(b, connect((int)b->arg[0], (const struct sockaddr *)b->arg[1],
                                (socklen_t)b->arg[2]));
    return connect_step(b, 1, GS_WAIT_FOREVER, "connect");
}

/* ---- waiting for readiness ------------------------------------------------------- */

int gs_io_wait_fd_step(struct gs_block *b)
{
    int fd = (int)b->arg[0];
    short events = (short)b->arg[1];
    gs_time deadline = (gs_time)b->arg[2];
    if (b->wait) {
        int st = wait_outcome(b);
        if (st)
            return gs_wait_done(b, (uint64_t)-1, st);
    } else {
        gs_wait_save_errno(b);
        if (deadline < 0 || !(events & (POLLIN | POLLOUT)))
            return gs_wait_done(b, (uint64_t)-1, EINVAL);
    }
    struct pollfd p = {.fd = fd, .events = events};
    if (poll(&p, 1, 0) < 0)
        return gs_wait_done(b, (uint64_t)-1, errno);
    if (p.revents & POLLNVAL)
        return gs_wait_done(b, (uint64_t)-1, EBADF);
    if (p.revents)
        return gs_wait_done(b, (uint64_t)(uint16_t)p.revents, 0);
    if (deadline == GS_NOWAIT)
        return gs_wait_done(b, (uint64_t)-1, EAGAIN);
    struct gs_thread *t = gs_api_thread();
    struct gs_wait *w = gs_wait_begin(t, "gs_wait_fd", fd, 1, deadline);
    struct gs_wnode *n = gs_wait_nodes(w, 2, 0);
    short dirs[2] = {POLLIN, POLLOUT};
    for (int k = 0; k < 2; k++) {
        if (!(events & dirs[k]))
            continue;
        n[k].op = (uint32_t)dirs[k];
        int rc = gs_poll_add(t, fd, &n[k]);
        if (rc) {
            gs_wait_end(t, w);
            return gs_wait_done(b, (uint64_t)-1, rc);
        }
    }
    b->wait = w;
    return gs_wait_block(b, w);
}

/* poll(2) in transparent mode: poll without waiting; if nothing is ready,
 * queue a node per descriptor and direction, park until one of them (or the
 * timeout) wakes it, and poll again. */
static int poll_step(struct gs_block *b, struct pollfd *fds, nfds_t nfds, gs_time timeout_dl,
                     int timeout_ms, const char *what)
{
    if (b->wait) {
        int st = wait_outcome(b);
        if (st == ECANCELED)
            return gs_wait_done(b, (uint64_t)-1, EINTR);
        if (st && st != ETIMEDOUT && st != EBADF)
            return gs_wait_done(b, (uint64_t)-1, st);
        int r = poll(fds, nfds, 0);
        if (r != 0 || st == ETIMEDOUT)
            return gs_wait_done(b, (uint64_t)(int64_t)r, r < 0 ? errno : 0);
    } else {
        gs_wait_save_errno(b);
        int r = poll(fds, nfds, 0);
        if (r != 0 || timeout_ms == 0)
            return gs_wait_done(b, (uint64_t)(int64_t)r, r < 0 ? errno : 0);
        b->progress = (uint64_t)timeout_dl; /* the deadline, across parks */
    }
    gs_time deadline = (gs_time)b->progress;
    struct gs_thread *t = gs_api_thread();
    if (nfds > (nfds_t)UINT32_MAX / 2)
        return gs_wait_done(b, (uint64_t)-1, EINVAL);
    struct gs_wait *w = gs_wait_begin(t, what, nfds == 1 ? fds[0].fd : 0, nfds == 1, deadline);
    w->intr = GS_WAIT_INTR_ALWAYS; /* poll is never restarted */
    struct gs_wnode *nodes = nfds ? gs_wait_nodes(w, (uint32_t)(2 * nfds), 0) : NULL;
    for (nfds_t i = 0; i < nfds; i++) {
        if (fds[i].fd < 0)
            continue;
        short ev = fds[i].events;
        short dirs[2] = {(ev & (POLLIN | POLLPRI | POLLRDNORM | POLLRDBAND)) || !(ev & (POLLOUT | POLLWRNORM | POLLWRBAND)) ? POLLIN : 0,
                         (ev & (POLLOUT | POLLWRNORM | POLLWRBAND)) ? POLLOUT : 0};
        for (int k = 0; k < 2; k++) {
            if (!dirs[k])
                continue;
            struct gs_wnode *n = &nodes[2 * i + (nfds_t)k];
            n->op = (uint32_t)dirs[k];
            int rc = gs_poll_add(t, fds[i].fd, n);
            if (rc) {
                /* A descriptor epoll cannot watch (poll said it is not ready,
                 * so it is not a regular file): the plain call. */
                gs_wait_end(t, w);
                gs_time left = deadline == GS_WAIT_FOREVER ? -1 : (deadline - gs_now()) / 1000000;
                return plain(b, poll(fds, nfds, deadline == GS_WAIT_FOREVER ? -1 : left < 0 ? 0 : (int)left));
            }
        }
    }
    b->wait = w;
    return gs_wait_block(b, w);
}

int gs_io_x_poll_step(struct gs_block *b)
{
    struct pollfd *fds = (struct pollfd *)b->arg[0];
    nfds_t nfds = (nfds_t)b->arg[1];
    int timeout = (int)b->arg[2];
    if (!parkable(b))
        return plain(b, poll(fds, nfds, timeout));
    gs_time dl = timeout < 0 ? GS_WAIT_FOREVER : b->wait ? 0 : gs_deadline_after((gs_time)timeout * 1000000);
    return poll_step(b, fds, nfds, dl, timeout, "poll");
}

int gs_io_x_poll_chk_step(struct gs_block *b)
{
    /* __poll_chk(fds, nfds, timeout, fdslen) */
    if (b->arg[3] / sizeof(struct pollfd) < b->arg[1])
        __chk_fail();
    return gs_io_x_poll_step(b);
}

int gs_io_x_ppoll_step(struct gs_block *b)
{
    struct pollfd *fds = (struct pollfd *)b->arg[0];
    nfds_t nfds = (nfds_t)b->arg[1];
    const struct timespec *tmo = (const struct timespec *)b->arg[2];
    const sigset_t *mask = (const sigset_t *)b->arg[3];
    /* A signal mask to install while waiting has no meaning for a parked
     * coroutine (the thread keeps running others): the plain call. */
    if (!parkable(b) || mask)
        return plain(b, ppoll(fds, nfds, tmo, mask));
    if (!b->wait && tmo && !timespec_valid(tmo)) {
        b->ret = (uint64_t)-1;
        errno = EINVAL;
        return GS_BLOCK_DONE;
    }
    gs_time dl = !tmo ? GS_WAIT_FOREVER : b->wait ? 0 : gs_deadline_after(timespec_ns(tmo));
    int zero = tmo && tmo->tv_sec == 0 && tmo->tv_nsec == 0;
    return poll_step(b, fds, nfds, dl, zero ? 0 : -1, "ppoll");
}

/* ---- closing ---------------------------------------------------------------------- */

/* fd is going away (close, or replaced by dup2/dup3): this thread's coroutines
 * waiting on it are woken with EBADF. Not from a signal handler, which may have
 * interrupted the scheduler in the middle of its queues: there the descriptor
 * is only closed (docs/netpoll.md). */
static void forget(int fd)
{
    struct gs_thread *t = &gs_tls;
    if (!t->in_signal) {
        gs_poll_keep_off(fd);
        gs_poll_forget(t, fd, EBADF);
    }
}

int gs_io_x_close_step(struct gs_block *b)
{
    int fd = (int)b->arg[0];
    forget(fd);
    return plain(b, close(fd));
}

/* dup2/dup3 from `from` onto `to`: the thread's epoll set moves off `from`
 * (forget moves it off `to`), and `to` is forgotten if `from` is open (the
 * call then closes `to`). */
static void replacing(int from, int to)
{
    if (!gs_tls.in_signal)
        gs_poll_keep_off(from);
    if (from != to && fcntl(from, F_GETFD) >= 0)
        forget(to);
}

int gs_io_x_dup2_step(struct gs_block *b)
{
    int from = (int)b->arg[0], to = (int)b->arg[1];
    replacing(from, to);
    return plain(b, dup2(from, to));
}

int gs_io_x_dup3_step(struct gs_block *b)
{
    int from = (int)b->arg[0], to = (int)b->arg[1];
    replacing(from, to);
    return plain(b, dup3(from, to, (int)b->arg[2]));
}

int gs_close(int fd)
{
    forget(fd);
    return close(fd);
}
