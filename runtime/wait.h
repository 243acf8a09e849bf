/* wait.h - waiting inside a blocking call: waits, wait queues, deadlines,
 * cancellation, where a blocking call runs and how it finishes (scheduler
 * layer, above the core: docs/architecture.md; docs/netpoll.md, "Waits").
 *
 * A blocking call that cannot finish at once takes a struct gs_wait from the
 * thread's pool (gs_wait_begin), links one node per thing it waits for into that
 * thing's queue (a channel's receivers, a mutex's waiters, a descriptor's
 * readers in the poller), and blocks (gs_wait_block): on a coroutine stack it
 * parks the coroutine (the core's park: gs_coro_park_prepare); on the thread's
 * own stack it asks the layer that runs the thread to run the scheduler until
 * the wait is woken (GS_BLOCK_THREAD: api.c's gs_api_block_wait); this layer
 * never calls the scheduler. Whoever can complete it - a sender, an unlock, the
 * poller, the deadline's timer, a close, gs_cancel - calls gs_wait_wake once,
 * which unlinks every node of the wait, disarms its deadline and makes the
 * coroutine ready. The blocking call then runs again, reads w->status (0 or why:
 * ETIMEDOUT, ECANCELED, EBADF, EPIPE, EDEADLK) and w->fired (which node completed
 * it) and gives the wait back (gs_wait_end).
 *
 * Invariants:
 *  - Waits, nodes and element buffers are in the heap and belong to one thread;
 *    nothing here points into a coroutine stack (a parked stack may move).
 *  - A wait's nodes are linked in queues exactly while it is not woken; its
 *    timer is armed exactly while it is blocked, not woken, with a deadline.
 *  - w->co is PARKED from gs_wait_block until gs_wait_wake (or the thread
 *    waits, w->co == NULL); a wake makes it READY exactly once.
 *  - gs_wait_tls.waits lists the calling thread's waits between gs_wait_begin
 *    and gs_wait_end: what the report at exit and on a deadlock prints
 *    (gs_wait_report). A coroutine's co->sched.wait (coro.h: the link the core
 *    keeps for the layers above it) is its wait while it is PARKED in one.
 *  - Deadlines are armed on the thread's timer heap (gs_timer_tls, timer.h),
 *    which the scheduler fires.
 *
 * Signals. A signal handler interrupts a thread's blocking system call; the
 * transparent calls (io.c) that parked a coroutine instead are interrupted the
 * same way: each such wait has an intr class (GS_WAIT_INTR_*, set by the call
 * before it blocks) and, from gs_wait_block, the thread's handler counts
 * (gs_tls.sig_caught, signals.c) at that moment. A program's handler that began
 * on the thread after a wait blocked ends it with EINTR when the class says the
 * kernel would have (poll and the sleeps: any handler; reads, writes, accept,
 * connect: a handler installed without SA_RESTART); the scheduler applies this
 * (gs_wait_interrupt) at its next step, never in the handler. Every coroutine
 * parked in such a call on that thread is interrupted, as the one blocking call
 * of a single-threaded program would be. Explicit calls (gs_read, gs_sleep, ...,
 * class NONE) are ended only by gs_cancel.
 *
 * A handler runs where the signal finds the thread, except when the scheduler
 * waits idle in its system call (gs_tls.sched_idle) and a coroutine is parked
 * in a transparent call: a program that is one flow of control would have been
 * blocked in that call, and its handler may siglongjmp into that flow (the
 * alarm() timeout of a read). signals.c then holds the signal (its siginfo
 * kept, gs_tls.sig_held; its handler not run, not counted); the scheduler's
 * next step gives it to the most recently parked such wait (signals_here,
 * woken with GS_WAIT_SIGNALED if nothing woke it; the idle wait blocks the
 * signals until its system call unblocks them atomically, so that one held
 * just before the call still ends it: scheduler.c), and that wait's step
 * releases the held signals first thing when it runs again, in the
 * coroutine's context on the system stack: raised again to the thread
 * (gs_thread_release_signals), the kernel delivers them there and the
 * handlers run and count as above; then the step ends with EINTR or waits
 * again (gs_wait_interrupted).
 */
#ifndef GS_WAIT_H
#define GS_WAIT_H

#include <stddef.h>
#include <stdint.h>
#include "block.h"
#include "thread.h"
#include "timer.h"

/* Deadlines (growstack.h): nanoseconds of CLOCK_MONOTONIC. */
#define GS_WAIT_FOREVER INT64_MAX

struct gs_wnode;

struct gs_wq {
    struct gs_wnode *head, *tail;
    size_t *total;              /* a counter of nodes in a family of queues, or NULL */
};

struct gs_wnode {
    struct gs_wnode *next, *prev;
    struct gs_wq *q;            /* the queue it is linked in, NULL if none          */
    struct gs_wait *w;
    uint32_t index;             /* the select case or pollfd this node stands for    */
    uint32_t op;                /* what it waits for (channel: send/recv; fd: POLLIN
                                   or POLLOUT)                                       */
    void *elem;                 /* a channel element's buffer (heap), or NULL        */
};

/* The calling thread's waits, in initial-exec TLS. */
struct gs_wait_thread {
    struct gs_wait *waits;      /* in use (gs_wait_begin .. gs_wait_end)              */
    struct gs_wait *pool;       /* free                                               */
    size_t n;                   /* on `waits`                                         */
    size_t n_intr;              /* of those, coroutines' blocked waits of a class other
                                   than GS_WAIT_INTR_NONE (that can hold signals)     */
};
extern __thread struct gs_wait_thread gs_wait_tls
    __attribute__((tls_model("initial-exec"), visibility("hidden")));

struct gs_wait {
    struct gs_coro *co;         /* the parked coroutine, NULL: the thread waits      */
    int blocked;                /* gs_wait_block ran                                 */
    int no_cancel;              /* gs_cancel does not end this wait (it stays pending) */
    int intr;                   /* which signal handlers end it (GS_WAIT_INTR_*)     */
    unsigned sig_seen[2];       /* gs_tls.sig_caught when it blocked                 */
    int signals_here;           /* its step releases the held signals (Signals)      */
    int woken;
    int status;                 /* 0 or why the wait ended                           */
    int fired;                  /* the index of the node that completed it, or -1    */
    const char *what;           /* the blocking call, for reports ("read")           */
    intptr_t obj;               /* its descriptor or object, for reports             */
    int obj_is_fd;
    int64_t deadline;
    int64_t since;              /* gs_now() when it blocked                          */
    struct gs_timer timer;
    struct gs_wnode *nodes;     /* nnodes nodes: `one`, or the heap block            */
    uint32_t nnodes;
    struct gs_wnode one;
    void *heap;                 /* nodes and element buffers of a large wait         */
    _Alignas(16) unsigned char buf[64]; /* the element of a one-node wait            */
    struct gs_wait *next, *prev;/* gs_wait_tls.waits while in use; the pool's list when free  */
};

/* Which of the program's signal handlers end a wait with EINTR (see Signals). */
enum {
    GS_WAIT_INTR_NONE = 0,      /* none: explicit calls, channels, sync objects       */
    GS_WAIT_INTR_NORESTART = 1, /* one installed without SA_RESTART (read, accept...) */
    GS_WAIT_INTR_ALWAYS = 2,    /* any (poll, nanosleep, sleep: never restarted)      */
};

/* A wait from the thread's pool, on gs_wait_tls.waits. Never fails (out of memory is
 * fatal). `what` and `obj` say what the call waits for in reports. */
__attribute__((visibility("hidden"))) struct gs_wait *gs_wait_begin(struct gs_thread *t,
                                                                    const char *what,
                                                                    intptr_t obj,
                                                                    int obj_is_fd,
                                                                    int64_t deadline);

/* Give w n nodes (index i = i), each with an element buffer of elem_size bytes
 * (none if 0), 16-byte aligned. Out of memory is fatal. */
__attribute__((visibility("hidden"))) struct gs_wnode *gs_wait_nodes(struct gs_wait *w,
                                                                     uint32_t n,
                                                                     size_t elem_size);

/* Block on w (its nodes queued). Returns what the step returns:
 *   GS_WHERE_CORO:     GS_BLOCK_PARK (the coroutine parks; the step runs again
 *                      when the wait is woken), or GS_BLOCK_AGAIN if it was
 *                      woken at once (deadline passed, a cancel was pending);
 *   GS_WHERE_THREAD:   GS_BLOCK_THREAD (the deadline armed): the caller of the
 *                      step runs the thread's scheduler until the wait is woken
 *                      (with EDEADLK if nothing can run and nothing is pending),
 *                      then runs the step again;
 *   GS_WHERE_CALLBACK: a fatal error naming the call and the callback. */
__attribute__((visibility("hidden"))) int gs_wait_block(struct gs_block *b, struct gs_wait *w);

/* Complete w (no-op if already woken): status, and the node that fired it. */
__attribute__((visibility("hidden"))) void gs_wait_wake(struct gs_thread *t, struct gs_wait *w,
                                                        int status, int fired);

/* The status of a wait woken only to release the held signals (Signals). */
#define GS_WAIT_SIGNALED (-1)

/* End with EINTR every wait of t that a signal handler begun on t since it
 * blocked interrupts, and give the held signals to a wait (see Signals). The
 * scheduler calls it when t's handler counts changed or signals are held;
 * never from a handler. */
__attribute__((visibility("hidden"))) void gs_wait_interrupt(struct gs_thread *t);

/* Whether a signal handler begun on t since a wait of class intr blocked
 * (when t->sig_caught was seen[]) interrupts it. */
__attribute__((visibility("hidden"))) int gs_wait_interrupted(const struct gs_thread *t, int intr,
                                                              const unsigned seen[2]);

/* Whether a coroutine of t is parked in a wait that can take held signals
 * (a transparent call). Safe in a signal handler while t->sched_idle. */
__attribute__((visibility("hidden"))) int gs_wait_can_hold_signals(const struct gs_thread *t);

/* Unlink w from everything and give it back to the pool. */
__attribute__((visibility("hidden"))) void gs_wait_end(struct gs_thread *t, struct gs_wait *w);

/* Queues. */
__attribute__((visibility("hidden"))) void gs_wait_wq_push(struct gs_wq *q, struct gs_wnode *n);
__attribute__((visibility("hidden"))) void gs_wait_wq_unlink(struct gs_wnode *n);

/* Where a blocking call runs (block.h), from its block. */
__attribute__((visibility("hidden"))) enum gs_block_where gs_wait_where(const struct gs_block *b);

/* A blocking call in a callback on the system stack (or a signal handler): the
 * fatal error, naming the call, its caller and the callback. */
__attribute__((noreturn, visibility("hidden"))) void gs_wait_misuse(const struct gs_block *b,
                                                                     const char *what);

/* Save errno at the first run of a step; restore it (a successful call leaves
 * errno as it found it, whatever other coroutines did meanwhile). */
__attribute__((visibility("hidden"))) void gs_wait_save_errno(struct gs_block *b);
__attribute__((visibility("hidden"))) void gs_wait_restore_errno(const struct gs_block *b);

/* Finish a call: b->ret = ret, errno = err (the saved errno if err is 0),
 * the wait (if any) ended. Returns GS_BLOCK_DONE. */
__attribute__((visibility("hidden"))) int gs_wait_done(struct gs_block *b, uint64_t ret, int err);

/* Print the waits in progress of t (coroutine, call, object, how long), at most
 * `max` lines, after a header line (already printed by the caller). */
__attribute__((visibility("hidden"))) void gs_wait_report(struct gs_thread *t, size_t max);

/* How many waits of t are blocked and not woken (parked coroutines). */
__attribute__((visibility("hidden"))) size_t gs_wait_parked(struct gs_thread *t);

/* At exit (atexit, installed at the first wait): report the coroutines of the
 * exiting thread that are still parked (GROWSTACK_LEAKCHECK). */
__attribute__((visibility("hidden"))) void gs_wait_leak_check_install(void);

/* Free the pool (thread exit). */
__attribute__((visibility("hidden"))) void gs_wait_thread_exit(struct gs_thread *t);

#endif
