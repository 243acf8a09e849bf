/* netpoll.h - the per-thread poller: one epoll set, edge-triggered, and the
 * coroutines waiting on each descriptor (scheduler layer; docs/netpoll.md).
 *
 * A blocking call that finds a descriptor not ready queues a node for the
 * direction it needs (POLLIN or POLLOUT) and parks; the scheduler, when it has
 * nothing ready, sleeps in epoll_wait and wakes every waiter of a direction an
 * event reports. Waiters always retry the operation after a wake (an event is a
 * hint, never a promise: another coroutine may have taken the data).
 *
 * Invariants:
 *  - Each thread has its own epoll set, created at its first descriptor wait
 *    (EPOLL_CLOEXEC), and its own table of waiters per descriptor; a
 *    descriptor is registered once per description in it, for
 *    EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, with the descriptor number as
 *    data.
 *  - Registration is checked every time a coroutine is about to wait
 *    (EPOLL_CTL_ADD: done, or EEXIST: already registered for this very
 *    description). So a descriptor number closed behind the runtime's back and
 *    reused for another file is registered again before anyone waits on it:
 *    no waiter can sleep on a registration that no longer exists. A stale
 *    registration of an older description under the same number only causes
 *    spurious wakes, which the retry absorbs.
 *  - A node is queued (rd for POLLIN, wr for POLLOUT) exactly while its wait is
 *    not woken; p->nwait counts them.
 *  - The epoll set's number is the runtime's, in the program's descriptor
 *    space: it is placed at GS_POLL_FD_MIN or above (a shell's redirections
 *    and a program's "dup2(fd, 3)" name small numbers blindly); a close,
 *    dup2 or dup3 of instrumented code that names it moves the set away
 *    first (gs_poll_keep_off). A number taken over where the runtime does not
 *    see it (uninstrumented code, a signal handler, a raw system call) is
 *    found when an epoll call on it fails with EBADF or EINVAL and it is no
 *    longer an epoll set: the runtime leaves it to the program, makes a new
 *    set and registers every descriptor with waiters in it. The runtime
 *    closes the number (thread exit, a fork's child) only while it is still
 *    an epoll set.
 *  - Closing a descriptor through the runtime (close, dup2/dup3 onto it,
 *    gs_close) wakes this thread's waiters on it with EBADF and removes the
 *    registration before the descriptor goes away (epoll would otherwise keep
 *    reporting a description a dup keeps alive under the closed number).
 */
#ifndef GS_NETPOLL_H
#define GS_NETPOLL_H

#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include "thread.h"
#include "wait.h"

struct gs_pollfd {
    struct gs_wq rd, wr;          /* waiting for input / for room to write          */
    int registered;               /* added to the epoll set (a hint for close)      */
};

/* The table of descriptors is two-level: chunks of GS_POLL_CHUNK entries that
 * never move (queued nodes point at their queues), found through an array of
 * chunk pointers that grows. */
#define GS_POLL_CHUNK 256

/* The lowest descriptor number the epoll set takes (netpoll.c: move_fd). */
#define GS_POLL_FD_MIN 100

struct gs_poller {
    int epfd;                     /* -1 until created                                */
    dev_t ep_dev;                 /* its fstat identity, to tell it was taken over   */
    ino_t ep_ino;
    struct gs_pollfd **chunk;     /* nchunk pointers to chunks, or NULL              */
    size_t nchunk;
    size_t nwait;                 /* nodes queued in all rd and wr queues            */
};

/* The calling thread's poller, NULL until its first descriptor wait. */
extern __thread struct gs_poller *gs_poll_tls
    __attribute__((tls_model("initial-exec"), visibility("hidden")));

/* Queue node n (n->op: POLLIN or POLLOUT) as a waiter on fd, registering fd in
 * the thread's epoll set first. 0, or an errno: EPERM (epoll cannot watch this
 * file: a regular file, a directory), EBADF, ENOMEM, ENOSPC. */
__attribute__((visibility("hidden"))) int gs_poll_add(struct gs_thread *t, int fd,
                                                      struct gs_wnode *n);

/* Wait for events up to timeout_ns (-1: no limit, 0: do not sleep) and wake the
 * waiters of every descriptor that reported one. EINTR ends the wait early.
 * mask: NULL, or the signal mask to wait with, installed atomically for the
 * wait only (epoll_pwait2/epoll_pwait, ppoll): the scheduler's idle wait
 * blocks the signals it may hold until the system call has begun (scheduler.c). */
__attribute__((visibility("hidden"))) void gs_poll_run(struct gs_thread *t, int64_t timeout_ns,
                                                       const sigset_t *mask);

/* Whether any coroutine of the calling thread waits on a descriptor. */
static inline int gs_poll_waiting(void)
{
    return gs_poll_tls && gs_poll_tls->nwait > 0;
}

/* fd is about to be closed (or replaced by dup2): wake its waiters with `err`
 * and take it out of the epoll set. */
__attribute__((visibility("hidden"))) void gs_poll_forget(struct gs_thread *t, int fd, int err);

/* The program is about to close fd, or dup2/dup3 onto it or from it (not in
 * a signal handler): if fd is the thread's epoll set, move the set to another
 * number first, so that the program's call acts as it would without
 * growstack (EBADF for a number it never opened). */
__attribute__((visibility("hidden"))) void gs_poll_keep_off(int fd);

/* Thread exit: close the epoll set, free the table. */
__attribute__((visibility("hidden"))) void gs_poll_thread_exit(struct gs_thread *t);

#endif
