/* growstack.h - stackful coroutines for C whose stacks grow on demand.
 *
 * A coroutine starts on a small stack. Code compiled with the growstack plugin
 * (gscc) checks the stack in every function prologue; when the check fails the
 * runtime grows the stack in the mode chosen at run time:
 *
 *   GS_MODE_SEGMENTED   chain a new segment (gccgo, Go <= 1.2)
 *   GS_MODE_CONTIGUOUS  copy the stack to one twice as large, relocate pointers
 *                       (Go >= 1.4); frames it cannot prove movable are not moved
 *   GS_MODE_FIXED       one fixed mapping with a guard page (Boost.Context, libdill)
 *
 * Threads: every thread has its own scheduler. A coroutine belongs to the thread
 * that spawned it: gs_join, gs_resume, gs_detach and gs_done of a handle made by
 * another thread fail with EXDEV (the handle carries its owner; EXDEV, "cross-device
 * link", because it is the one error no other call here returns: EPERM already
 * means "not in a coroutine").
 *
 * Errors: functions returning int return 0 or an errno value. Misuse that cannot be
 * reported that way ends the process with a one-line message prefixed "growstack:".
 * See docs/usage.md for the environment variables and docs/architecture.md for the
 * design.
 */
#ifndef GROWSTACK_H
#define GROWSTACK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- configuration ------------------------------------------------------- */

enum gs_mode {
    GS_MODE_FIXED = 0,
    GS_MODE_SEGMENTED = 1,
    GS_MODE_CONTIGUOUS = 2,
};

struct gs_config {
    enum gs_mode mode;   /* GROWSTACK_MODE                                        */
    size_t initial;      /* GROWSTACK_INITIAL: first stack (or segment) size      */
    size_t max;          /* GROWSTACK_MAX: limit of one coroutine's stack         */
    size_t segment;      /* GROWSTACK_SEGMENT: default size of a new segment      */
    int stats;           /* GROWSTACK_STATS=1: print counters to stderr at exit   */
    int shrink;          /* GROWSTACK_SHRINK=0|1: contiguous stacks shrink on yield */
    int force_move;      /* GROWSTACK_FORCE_MOVE=0|1: grow at every check (stress) */
    int poison;          /* GROWSTACK_POISON=0|1: poison/unmap freed stacks (stress) */
    int trace;           /* GROWSTACK_TRACE=0|1: one line per growth event to stderr */
    int threads;         /* GROWSTACK_THREADS=0|1: in a gscc-built program, run each
                            pthread_create/thrd_create start routine on a coroutine
                            (docs/usage.md); default 1                              */
    int netpoll;         /* GROWSTACK_NETPOLL=0|1: transparent mode: in a gscc-built
                            program, read/write/accept/connect/poll/sleep/... called
                            in a coroutine park it instead of blocking the thread
                            (docs/netpoll.md); default 1                            */
    int leakcheck;       /* GROWSTACK_LEAKCHECK=0|1: at exit, report the coroutines
                            that are still parked in a blocking call; default 1     */
    int hugepages;       /* GROWSTACK_HUGEPAGES=0|1: stack blocks of 2 MiB and more
                            may be backed by transparent huge pages (MADV_HUGEPAGE;
                            docs/protocol.md 5.3); default 1                        */
};

/* Hard limits of the sizes (bytes). */
#define GS_SIZE_MIN  ((size_t)2048)
#define GS_SIZE_MAX  ((size_t)1 << 40)

/* Fill *cfg with the built-in defaults for `mode` (see docs/usage.md). */
void gs_config_defaults(struct gs_config *cfg, enum gs_mode mode);

/* Fill *cfg from the GROWSTACK_* environment variables over the defaults.
 * Returns 0, or EINVAL with a one-line explanation in err (naming the variable
 * and the accepted forms). */
int gs_config_from_env(struct gs_config *cfg, char *err, size_t errlen);

/* Check a configuration; 0 or EINVAL with a message in err. */
int gs_config_check(const struct gs_config *cfg, char *err, size_t errlen);

/* Install the process-wide configuration. Must be called before the runtime
 * starts, that is before any thread first uses it (gs_spawn, gs_join,
 * gs_detach, gs_done, gs_run, gs_sleep, the descriptor calls,
 * gs_stack_cache_trim, a gscc-built pthread_create): EBUSY afterwards, EINVAL
 * if invalid. Without a call, the first gs_spawn()
 * reads the environment; an invalid environment then ends the process with
 * status 2. In a program built by gscc, main already runs on a coroutine, so
 * gs_configure called from main (or anything it calls) returns EBUSY: such a
 * program configures itself in gs_main_config below (or in a constructor). */
int gs_configure(const struct gs_config *cfg);

/* Optional hook of a gscc-built program. If the program defines it, the runtime
 * calls it once, before main's coroutine is created, on the thread's own stack,
 * with *cfg holding the configuration the runtime would start with: the built-in
 * defaults overridden by the GROWSTACK_* variables (already checked), or what a
 * constructor installed with gs_configure. Whatever *cfg holds when it returns is
 * installed; the program has the last word (to let the environment win, look at
 * getenv("GROWSTACK_MAX") before overriding max, and so on). An invalid result
 * ends the program with status 2 and a "growstack: gs_main_config: ..." line. It
 * must not spawn coroutines. Programs not built by gscc never see it called. */
void gs_main_config(struct gs_config *cfg);

/* The configuration in force (reads the environment if nothing is installed). */
void gs_config_get(struct gs_config *cfg);

const char *gs_mode_name(enum gs_mode mode);

/* ---- coroutines ------------------------------------------------------------ */

/* A coroutine handle: never 0 for a live coroutine. Handles are generation
 * counted: a handle of a joined coroutine is rejected with ESRCH, never
 * confused with a newer coroutine. A handle names its owning thread: on any
 * other thread it is rejected with EXDEV. */
typedef uint64_t gs_handle;

struct gs_spawn_attr {
    const char *name;    /* shown in error messages and stats; copied; may be NULL */
    size_t initial;      /* 0 = the configured initial size                         */
};

/* Create a coroutine running fn(arg) and make it ready. Returns 0 and sets errno
 * on failure: EINVAL (fn is NULL), ENOMEM. */
gs_handle gs_spawn(void *(*fn)(void *), void *arg);
gs_handle gs_spawn_with(void *(*fn)(void *), void *arg, const struct gs_spawn_attr *attr);

/* Wait for a coroutine to finish and collect its result (may be NULL), then free
 * it. Inside a coroutine the caller is suspended; outside, the calling thread runs
 * its scheduler until the target finishes. Errors: ESRCH (unknown, already joined
 * or detached handle), EXDEV (a handle of another thread), EDEADLK (joining
 * itself, or, outside coroutines, no coroutine of the thread can run any more
 * while the target has not finished), EINVAL (someone else already waits for
 * it). */
int gs_join(gs_handle h, void **result);

/* Let the coroutine free itself when it finishes; its result is dropped.
 * Errors: ESRCH, EXDEV, EINVAL (someone waits for it) as for gs_join. */
int gs_detach(gs_handle h);

/* Give up the processor: suspend the running coroutine and return to whoever
 * resumed it (the scheduler, or gs_resume's caller). Returns 0, or EPERM when
 * called outside a coroutine. Calling it from a callback running on the system
 * stack (qsort comparator, signal handler) is a fatal error. */
int gs_yield(void);

/* Run a ready or suspended coroutine until it yields, blocks or finishes.
 * Returns 0, ESRCH (bad handle), EXDEV (a handle of another thread), EBUSY (it
 * is running, resuming someone or parked in a blocking call), EINVAL
 * (finished). Coroutines resumed this way form a stack like Lua's. */
int gs_resume(gs_handle h);

/* Run the calling thread's scheduler until no coroutine is ready. Returns the
 * number of coroutines that are still alive but blocked. */
size_t gs_run(void);

/* The running coroutine's handle, or 0 outside coroutines. */
gs_handle gs_self(void);
int gs_in_coroutine(void);

/* Give each context of the calling thread (its coroutines and its own stack)
 * floating-point control state of its own: MXCSR (SSE rounding, exception
 * masks, FTZ/DAZ) and the x87 control word, saved and restored by every switch
 * from now on, as the SysV ABI's callee-saved rule for them wants across
 * gs_yield(). Until a thread calls it, its switches do not save them: all its
 * contexts share one state, and a new coroutine starts with the thread's.
 * Code built by gscc calls it by itself before every call of fesetround,
 * fesetenv, feupdateenv, feholdexcept, feenableexcept, fedisableexcept and
 * fesetmode, every _mm_setcsr and every inline asm that loads MXCSR or the
 * x87 control or environment words. Call it yourself before changing them any
 * other way (code not built by gscc, a function pointer to fesetround) if
 * another context of the thread must not see the change. Idempotent; costs
 * about 2 ns per switch from then on (docs/protocol.md 6.2). */
void gs_fp_private(void);

/* 1 if h refers to a coroutine that has finished (and not been joined), 0 if it
 * has not finished; -1 with errno ESRCH (unknown, joined or detached handle) or
 * EXDEV (a handle of another thread). */
int gs_done(gs_handle h);

/* ---- blocking without blocking the thread (docs/netpoll.md) ----------------
 *
 * The calls below wait by parking the calling coroutine: the thread's scheduler
 * runs other coroutines meanwhile, and sleeps in epoll_wait only when none is
 * ready. Called on the thread's own stack outside coroutines, they run the
 * thread's scheduler until they can return (as gs_join does). Called from a
 * callback on the system stack (a qsort comparator, a signal handler), the
 * blocking ones are a fatal error, as gs_yield is.
 *
 * Objects (channels, mutexes, ...) belong to the thread that first uses them:
 * from another thread every call fails with EXDEV (the scheduler is per thread).
 *
 * Deadlines. Every blocking call takes one: a time of gs_now()'s clock
 * (nanoseconds of CLOCK_MONOTONIC), GS_FOREVER, or GS_NOWAIT. A call that would
 * have to wait past its deadline fails with ETIMEDOUT; one that would have to
 * wait at all with GS_NOWAIT fails with EAGAIN, without waiting. A negative
 * deadline is EINVAL.
 *
 * Cancellation: gs_cancel(h) makes the blocking call h is parked in (or its
 * next one) fail with ECANCELED. */
typedef int64_t gs_time;
#define GS_FOREVER ((gs_time)INT64_MAX)
#define GS_NOWAIT ((gs_time)0)

/* Nanoseconds of CLOCK_MONOTONIC. */
gs_time gs_now(void);
/* gs_now() + ns (GS_FOREVER if that overflows; ns < 0 gives -1, which every
 * blocking call rejects with EINVAL). */
gs_time gs_deadline_after(gs_time ns);

/* Sleep for ns nanoseconds / until a deadline. 0, EINVAL (negative),
 * ECANCELED. gs_sleep(0) returns at once. */
int gs_sleep(gs_time ns);
int gs_sleep_until(gs_time deadline);

/* Make the blocking call the coroutine h waits in fail with ECANCELED (EINTR for
 * the C library calls of transparent mode), now if it is parked, else at its next
 * call that would wait. 0, ESRCH, EXDEV. */
int gs_cancel(gs_handle h);

/* Channels (Go's): a FIFO of elements of a fixed size. Unbuffered (capacity 0):
 * a send waits for a receiver and hands the element over. Buffered: a send
 * waits only while the buffer is full, a receive while it is empty. Waiters are
 * served in order. After gs_chan_close, sends fail with EPIPE and receives drain
 * the buffer, then fail with EPIPE (the element zeroed); waiters are woken with
 * EPIPE. Elements are copied (at most GS_CHAN_ELEM_MAX bytes). */
struct gs_chan;
#define GS_CHAN_ELEM_MAX ((size_t)1 << 16)
/* NULL with errno: EINVAL (elem_size 0 or above GS_CHAN_ELEM_MAX, capacity above
 * 2^31), ENOMEM. */
struct gs_chan *gs_chan_create(size_t elem_size, size_t capacity);
/* 0, EINVAL (NULL), EXDEV, EPIPE (closed already). */
int gs_chan_close(struct gs_chan *c);
/* Free it: 0, EINVAL, EXDEV, EBUSY (someone waits on it). */
int gs_chan_destroy(struct gs_chan *c);
/* 0, EPIPE (closed), EAGAIN (GS_NOWAIT), ETIMEDOUT, ECANCELED, EINVAL, EXDEV,
 * EDEADLK (outside coroutines: nothing else can run). */
int gs_chan_send(struct gs_chan *c, const void *elem, gs_time deadline);
int gs_chan_recv(struct gs_chan *c, void *elem, gs_time deadline);
/* Elements buffered now, and the capacity (0 for NULL). */
size_t gs_chan_len(const struct gs_chan *c);
size_t gs_chan_cap(const struct gs_chan *c);

/* select over channel operations: waits until one case can proceed, performs it,
 * and returns its index; when several can, one is chosen at random. A case with
 * chan == NULL never proceeds. `err` of the chosen case is set: 0, or EPIPE (the
 * channel is closed: a receive got a zeroed element, a send nothing). With
 * GS_NOWAIT it is Go's select with a default: -1 with errno EAGAIN when no case
 * can proceed at once. Else -1 with errno ETIMEDOUT, ECANCELED, EINVAL (bad op,
 * more than GS_SELECT_MAX cases), EXDEV, EDEADLK. */
enum { GS_SELECT_SEND = 1, GS_SELECT_RECV = 2 };
#define GS_SELECT_MAX 4096
struct gs_select_case {
    struct gs_chan *chan;
    int op;              /* GS_SELECT_SEND or GS_SELECT_RECV                        */
    int err;             /* out: 0 or EPIPE, for the chosen case                   */
    void *elem;          /* SEND: the element; RECV: where it goes (NULL: dropped)   */
};
int gs_select(struct gs_select_case *cases, size_t n, gs_time deadline);

/* Mutex: FIFO, handed straight to the first waiter on unlock (no barging). Not
 * recursive. Initialize with GS_MUTEX_INIT (or zero). lock: 0, EDEADLK (the
 * caller holds it), EAGAIN (GS_NOWAIT), ETIMEDOUT, ECANCELED, EXDEV, EINVAL.
 * trylock: 0, EBUSY. unlock: 0, EPERM (the caller does not hold it). */
struct gs_mutex { void *gs_private[5]; };
#define GS_MUTEX_INIT {{0}}
int gs_mutex_lock(struct gs_mutex *m, gs_time deadline);
int gs_mutex_trylock(struct gs_mutex *m);
int gs_mutex_unlock(struct gs_mutex *m);

/* Condition variable. wait: releases m (which the caller must hold: EPERM),
 * waits for a signal or the deadline, then takes m back (whatever the outcome,
 * as pthread_cond_timedwait does) and returns 0, ETIMEDOUT, ECANCELED. */
struct gs_cond { void *gs_private[4]; };
#define GS_COND_INIT {{0}}
int gs_cond_wait(struct gs_cond *c, struct gs_mutex *m, gs_time deadline);
int gs_cond_signal(struct gs_cond *c);
int gs_cond_broadcast(struct gs_cond *c);

/* Wait group (Go's sync.WaitGroup): add counts work, done finishes one, wait
 * waits for the count to reach 0. add: EINVAL if the count would go negative. */
struct gs_wg { void *gs_private[5]; };
#define GS_WG_INIT {{0}}
int gs_wg_add(struct gs_wg *wg, long delta);
int gs_wg_done(struct gs_wg *wg);
int gs_wg_wait(struct gs_wg *wg, gs_time deadline);

/* Descriptors, explicit calls: like read(2), write(2), recv(2), send(2),
 * accept4(2), connect(2), but waiting (by parking) until the descriptor is ready
 * or the deadline passes, whether the descriptor is blocking or not. -1 with
 * errno as the C library call would, or ETIMEDOUT, ECANCELED, EAGAIN (GS_NOWAIT),
 * EBADF (closed through the runtime while waiting: close in transparent mode, or
 * gs_close). gs_write and gs_send send all n bytes, unless an error or the
 * deadline comes first after some were sent: then they return how many were.
 * Regular files have no readiness: the call is simply made. */
ssize_t gs_read(int fd, void *buf, size_t n, gs_time deadline);
ssize_t gs_write(int fd, const void *buf, size_t n, gs_time deadline);
ssize_t gs_recv(int fd, void *buf, size_t n, int flags, gs_time deadline);
ssize_t gs_send(int fd, const void *buf, size_t n, int flags, gs_time deadline);
int gs_accept(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags, gs_time deadline);
int gs_connect(int fd, const struct sockaddr *addr, socklen_t addrlen, gs_time deadline);
/* Wait until fd is ready for `events` (POLLIN, POLLOUT); returns the poll(2)
 * revents now set (POLLHUP, POLLERR included), or -1 with errno. */
int gs_wait_fd(int fd, int events, gs_time deadline);
/* close(2), waking this thread's coroutines that wait on fd (EBADF). */
int gs_close(int fd);

/* ---- statistics ---------------------------------------------------------- */

struct gs_stats {
    uint64_t spawned, finished, switches;
    uint64_t splits;            /* segmented growths (incl. contiguous fallbacks)  */
    uint64_t segments_new;      /* segments obtained from the allocator            */
    uint64_t segments_reused;   /* growths served by a cached segment              */
    uint64_t moves;             /* contiguous copies                               */
    uint64_t bytes_copied;      /* by moves                                         */
    uint64_t pins;              /* contiguous growths that chained (pinned frame)  */
    uint64_t shrinks;
    uint64_t dyn_allocs;        /* __morestack_allocate_stack_space calls           */
    uint64_t unchecked_spawns;  /* uninstrumented entry function: fixed stack used  */
    uint64_t unknown_frames;    /* frame walks that met a frame of no instrumented
                                   function (a coroutine stack should hold none)    */
    uint64_t stack_bytes;       /* stack given to live coroutines: their segments'
                                   blocks (growable modes), the depth each fixed
                                   stack's watermark reached (fixed stacks; their
                                   mappings count in mapped_bytes)                 */
    uint64_t stack_bytes_peak;  /* the largest stack_bytes (per thread, summed)     */
    uint64_t mapped_bytes;      /* address space mapped for stacks (fixed stacks:
                                   GROWSTACK_MAX each), cached blocks included      */
    uint64_t max_stack_bytes;   /* largest stack one coroutine was given: growable:
                                   its segments' total; fixed: its watermark, at
                                   most a step (4 KiB or 1/8) above what it used   */
    uint64_t side_bytes;        /* bytes of side stack chunks currently owned       */
    uint64_t side_peak;         /* largest side stack one coroutine (or thread)
                                   owned, in bytes                                  */
    uint64_t side_chunks;       /* side stack chunks obtained from malloc           */
    uint64_t leaf_grows;        /* growths a measured C library function's thunk
                                   asked for (too little room for it; protocol.md
                                   4.1a): a move or a lower watermark, after which
                                   the call runs on the coroutine stack           */
    uint64_t leaf_declines;     /* such requests the runtime declined (segmented
                                   mode never asks; a pin, the limit, a full fixed
                                   stack): the call takes the trampoline          */
    uint64_t splits_slow;       /* splits that ran __morestack's C half (a first
                                   split at a boundary, a new segment, a longjmp
                                   that left %rsp elsewhere, a first chain above
                                   a pinned frame); __morestack repeated the rest
                                   of splits itself (protocol.md 5.2)            */
    uint64_t jmpbufs_carried;   /* longjmps through a jmp_buf copy saved before the
                                   stack moved (memcpy'd from a buffer setjmp
                                   filled), whose stack addresses the runtime
                                   carried over the moves (protocol.md 7.3)       */
    uint64_t returns_jumped;    /* segmented returns after a longjmp landed above
                                   the split or a switch: __morestack_return
                                   jumped to F's caller instead of returning
                                   through F's retq (protocol.md 5.2)            */
    uint64_t grown_in_place;    /* contiguous growths into the address space
                                   reserved below a block of 2 MiB or more:
                                   nothing moved (protocol.md 5.3)               */
};

/* Counters summed over all threads. */
void gs_stats_get(struct gs_stats *st);
void gs_stats_print(FILE *out);

/* Give the calling thread's cached stack memory back to the kernel (freed blocks
 * are otherwise kept for reuse). The next stacks start on untouched pages. */
void gs_stack_cache_trim(void);

/* ---- opting out ------------------------------------------------------------ */

/* A function marked GS_NOSPLIT is compiled without the stack check; calls to it
 * from instrumented code run on the thread's system stack. */
#define GS_NOSPLIT __attribute__((annotate("growstack_nosplit")))

#ifdef __cplusplus
}
#endif
#endif /* GROWSTACK_H */
