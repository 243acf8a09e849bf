/* scheduler.c - a FIFO run queue per thread, with its deadlines and poller (see
 * scheduler.h). */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "fatal.h"
#include "netpoll.h"
#include "scheduler.h"
#include "timer.h"
#include "wait.h"

/* The calling thread's run queue, linked through co->sched. */
static __thread struct {
    struct gs_coro *head, *tail;
    size_t n;
    unsigned tick;   /* runs since the scheduler last polled */
    unsigned sig_seen; /* gs_tls.sig_caught[0] when waits were last interrupted */
} queue;

void gs_scheduler_ready(struct gs_coro *co)
{
    struct gs_coro_link *l = &co->sched;
    if (l->flags & GS_SCHEDULER_QUEUED)
        return;
    l->flags |= GS_SCHEDULER_QUEUED;
    l->next = NULL;
    l->prev = queue.tail;
    if (queue.tail)
        queue.tail->sched.next = co;
    else
        queue.head = co;
    queue.tail = co;
    queue.n++;
}

static void unlink_queued(struct gs_coro *co)
{
    struct gs_coro_link *l = &co->sched;
    if (l->prev)
        l->prev->sched.next = l->next;
    else
        queue.head = l->next;
    if (l->next)
        l->next->sched.prev = l->prev;
    else
        queue.tail = l->prev;
    l->next = l->prev = NULL;
    l->flags &= ~GS_SCHEDULER_QUEUED;
    queue.n--;
}

static struct gs_coro *pop(void)
{
    struct gs_coro *co = queue.head;
    if (co)
        unlink_queued(co);
    return co;
}

int gs_scheduler_run_one(void)
{
    struct gs_coro *co;
    /* A queued coroutine may be running or resuming another one (it was
     * resumed directly, with gs_resume); skip those. */
    do {
        co = pop();
        if (!co)
            return 0;
    } while (co->state != GS_READY && co->state != GS_SUSPENDED);
    if (gs_coro_resume(co) == GS_SUSPENDED)
        gs_scheduler_ready(co);
    return 1;
}

int gs_scheduler_pending(void)
{
    return gs_timer_tls.n > 0 || gs_poll_waiting() || gs_wait_can_hold_signals(&gs_tls);
}

/* Fire due timers, then wait for descriptor events: at most until the earliest
 * deadline when `block`, not at all otherwise. */
static void poll_events(int block)
{
    int64_t now = gs_now();
    gs_timer_run(&gs_timer_tls, now);
    if (queue.head)
        block = 0; /* a deadline passed: someone is ready now */
    int64_t timeout = 0;
    if (block) {
        int64_t next = gs_timer_next(&gs_timer_tls);
        timeout = next == INT64_MAX ? -1 : next - now;
        if (timeout < 0 && next != INT64_MAX)
            timeout = 0;
    }
    /* Idle while it waits: a signal then is held for a parked coroutine
     * (wait.h, "Signals"), and the wait must end for it. A signal held after
     * sched_idle is set but before the system call has begun would not end
     * it (the wait could last forever: seen under valgrind, which delivers a
     * signal at the next blocking system call). So when a signal may be held,
     * the signals are blocked from before sched_idle is set, and the system
     * call unblocks them atomically (its mask argument): one that came in
     * between is delivered in the call and ends it with EINTR. */
    sigset_t old;
    const sigset_t *mask = NULL;
    if (timeout != 0 && gs_wait_can_hold_signals(&gs_tls)) {
        static const int fault[] = {GS_FAULT_SIGNALS}; /* stay open (thread.h) */
        sigset_t all;
        sigfillset(&all);
        for (unsigned i = 0; i < sizeof fault / sizeof fault[0]; i++)
            sigdelset(&all, fault[i]);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        mask = &old;
    }
    if (gs_poll_waiting() || (gs_poll_tls && timeout != 0)) {
        gs_tls.sched_idle = timeout != 0;
        gs_poll_run(&gs_tls, timeout, mask);
        gs_tls.sched_idle = 0;
    } else if (timeout > 0) {
        /* Only deadlines: sleep until the earliest (signals end it early). */
        gs_tls.sched_idle = 1;
        struct timespec ts = {.tv_sec = timeout / 1000000000, .tv_nsec = timeout % 1000000000};
        ppoll(NULL, 0, &ts, mask);
        gs_tls.sched_idle = 0;
    } else if (timeout < 0 && mask) {
        /* Only calls that a signal handler ends (sleep(UINT_MAX), poll(NULL, 0,
         * -1)): wait for one, as the blocked program would. */
        gs_tls.sched_idle = 1;
        sigsuspend(mask);
        gs_tls.sched_idle = 0;
    } else if (timeout < 0) {
        gs_fatal("scheduler: asked to sleep with nothing pending");
    }
    if (mask)
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (gs_timer_tls.n)
        gs_timer_run(&gs_timer_tls, gs_now());
}

int gs_scheduler_step(void)
{
    /* A signal handler ran on the thread: the transparent calls it interrupts
     * return EINTR (wait.h, "Signals"). */
    unsigned caught = __atomic_load_n(&gs_tls.sig_caught[0], __ATOMIC_RELAXED);
    if (caught != queue.sig_seen || gs_tls.sig_held_n) {
        queue.sig_seen = caught;
        gs_wait_interrupt(&gs_tls);
    }
    if (queue.head) {
        if (++queue.tick >= GS_SCHEDULER_POLL_EVERY) {
            queue.tick = 0;
            if (gs_scheduler_pending())
                poll_events(0);
        }
        if (gs_scheduler_run_one())
            return 1;
    }
    if (!gs_scheduler_pending())
        return 0;
    queue.tick = 0;
    poll_events(1);
    return 1;
}

static void stopped(struct gs_coro *co)
{
    if (co->sched.flags & GS_SCHEDULER_QUEUED)
        unlink_queued(co);
}

const struct gs_coro_hooks gs_scheduler_hooks = {
    .runnable = gs_scheduler_ready,
    .stopped = stopped,
};
