/* timer.h - deadlines: a per-thread 4-ary min-heap of timers (scheduler layer).
 *
 * Why a heap and not a wheel: every timer here is a deadline of a blocking call,
 * and most are removed before they fire (the data came first), so removal must be
 * cheap too; a heap with the index kept in each timer removes in O(log n), needs
 * no tick (the scheduler sleeps in epoll_wait exactly until the earliest
 * deadline) and has no resolution to choose. A 4-ary heap is shallower than a
 * binary one and keeps a node's children in one cache line (Go's timers use the
 * same shape).
 *
 * Invariants:
 *  - h->v[0 .. h->n) is a min-heap on `when`; h->v[i]->idx == i for every
 *    timer in the heap, and idx == GS_TIMER_IDLE for a timer in no heap.
 *  - A timer is in at most one heap, that of the thread that armed it, and
 *    is touched only by that thread.
 *  - Times are nanoseconds of CLOCK_MONOTONIC (gs_now()).
 */
#ifndef GS_TIMER_H
#define GS_TIMER_H

#include <stddef.h>
#include <stdint.h>

#define GS_TIMER_IDLE ((size_t)-1)

struct gs_timer {
    int64_t when;                       /* CLOCK_MONOTONIC nanoseconds          */
    size_t idx;                         /* place in the heap, or GS_TIMER_IDLE  */
    void (*fire)(struct gs_timer *tm);  /* called once, after removal, when due */
};

struct gs_timer_heap {
    struct gs_timer **v;
    size_t n, cap;
};

/* Insert tm (idle) due at tm->when. 0, or ENOMEM. */
__attribute__((visibility("hidden"))) int gs_timer_add(struct gs_timer_heap *h,
                                                       struct gs_timer *tm);

/* Remove tm if it is in the heap (no-op if idle). */
__attribute__((visibility("hidden"))) void gs_timer_del(struct gs_timer_heap *h,
                                                        struct gs_timer *tm);

/* The earliest deadline, or INT64_MAX if the heap is empty. */
static inline int64_t gs_timer_next(const struct gs_timer_heap *h)
{
    return h->n ? h->v[0]->when : INT64_MAX;
}

/* Remove and fire every timer due at `now`, earliest first. Returns how many
 * fired. A fire callback may add or remove other timers. */
__attribute__((visibility("hidden"))) size_t gs_timer_run(struct gs_timer_heap *h, int64_t now);

/* The calling thread's deadlines (wait.c arms them, the scheduler fires them
 * and sleeps until the earliest), in initial-exec TLS. */
extern __thread struct gs_timer_heap gs_timer_tls
    __attribute__((tls_model("initial-exec"), visibility("hidden")));

/* Free the heap's array (a thread that exits). */
__attribute__((visibility("hidden"))) void gs_timer_heap_free(struct gs_timer_heap *h);

#endif
