/* timer.c - a 4-ary min-heap of deadlines, and the clock they are read on:
 * gs_now, gs_deadline_after (see timer.h, growstack.h). */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "growstack.h"
#include "mem.h"
#include "timer.h"

__thread struct gs_timer_heap gs_timer_tls __attribute__((tls_model("initial-exec")));

gs_time gs_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (gs_time)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

gs_time gs_deadline_after(gs_time ns)
{
    if (ns < 0)
        return -1;
    gs_time now = gs_now();
    return ns > GS_FOREVER - now ? GS_FOREVER : now + ns;
}

#define ARITY 4

static void place(struct gs_timer_heap *h, size_t i, struct gs_timer *tm)
{
    h->v[i] = tm;
    tm->idx = i;
}

static void sift_up(struct gs_timer_heap *h, size_t i)
{
    struct gs_timer *tm = h->v[i];
    while (i > 0) {
        size_t p = (i - 1) / ARITY;
        if (h->v[p]->when <= tm->when)
            break;
        place(h, i, h->v[p]);
        i = p;
    }
    place(h, i, tm);
}

static void sift_down(struct gs_timer_heap *h, size_t i)
{
    struct gs_timer *tm = h->v[i];
    for (;;) {
        size_t c = i * ARITY + 1, best = i;
        int64_t w = tm->when;
        for (size_t k = c; k < c + ARITY && k < h->n; k++) {
            if (h->v[k]->when < w) {
                w = h->v[k]->when;
                best = k;
            }
        }
        if (best == i)
            break;
        place(h, i, h->v[best]);
        i = best;
    }
    place(h, i, tm);
}

int gs_timer_add(struct gs_timer_heap *h, struct gs_timer *tm)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 64;
        struct gs_timer **v = gs_mem_realloc(h->v, cap * sizeof *v);
        if (!v)
            return ENOMEM;
        h->v = v;
        h->cap = cap;
    }
    place(h, h->n++, tm);
    sift_up(h, tm->idx);
    return 0;
}

void gs_timer_del(struct gs_timer_heap *h, struct gs_timer *tm)
{
    size_t i = tm->idx;
    if (i == GS_TIMER_IDLE)
        return;
    tm->idx = GS_TIMER_IDLE;
    struct gs_timer *last = h->v[--h->n];
    if (i == h->n)
        return;
    place(h, i, last);
    if (i > 0 && h->v[(i - 1) / ARITY]->when > last->when)
        sift_up(h, i);
    else
        sift_down(h, i);
}

size_t gs_timer_run(struct gs_timer_heap *h, int64_t now)
{
    size_t fired = 0;
    while (h->n && h->v[0]->when <= now) {
        struct gs_timer *tm = h->v[0];
        gs_timer_del(h, tm);
        tm->fire(tm);
        fired++;
    }
    return fired;
}

void gs_timer_heap_free(struct gs_timer_heap *h)
{
    gs_mem_free(h->v);
    h->v = NULL;
    h->n = h->cap = 0;
}
