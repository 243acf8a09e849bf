/* interleaved_coroutines - 200 coroutines, each recursing to its own depth and
 * yielding at several depths on the way down and on the way up, interleaved by
 * the scheduler (its FIFO run queue). Every frame holds values computed from
 * (coroutine, depth) and checks them after every resume and after every
 * return from below; the bottom also checks gs_self(). Each coroutine returns
 * a sum that main checks after joining it.
 *
 * A suspended coroutine's stack is moved by contiguous growth only while it
 * runs, but it is shrunk while it is suspended (contiguous mode, at a yield),
 * and in segmented mode every coroutine keeps its own chain and cached next
 * segment: stacks of the others must never be touched. The depths (20..319
 * frames of ~100 bytes) are many segments of 2 KiB and several doublings from
 * 2 KiB, and kept small for GROWSTACK_FORCE_MOVE (a move at every call). */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#define NCORO 200

struct coro {
    int id, depth, every; /* yields at levels that are multiples of `every` */
    gs_handle self;
    long yields, resumes_seen_others;
};

static struct coro coros[NCORO];
static int last_running = -1; /* who ran last: counts interleavings */
static long switches_between;
static long bad;

static long val(int id, int level, int k) { return (long)id * 1000003L + level * 131L + k; }

/* A macro, not a function: passing v's address to a callee would make it
 * escape, and the frame would be pinned instead of moved. */
#define CHECK_FRAME(v, id, level)                                                \
    do {                                                                         \
        for (int k_ = 0; k_ < 6; k_++)                                           \
            if ((v)[k_] != val((id), (level), k_))                               \
                bad++;                                                           \
    } while (0)

__attribute__((noinline)) static void yield_here(struct coro *c)
{
    last_running = c->id;
    E2E_EQ_LONG(gs_yield(), 0);
    c->yields++;
    if (last_running != c->id)
        switches_between++;
    last_running = c->id;
}

__attribute__((noinline)) static long descend(struct coro *c, int level)
{
    volatile long v[6];
    for (int k = 0; k < 6; k++)
        v[k] = val(c->id, level, k);
    if (level % c->every == 0) { /* on the way down */
        yield_here(c);
        CHECK_FRAME(v, c->id, level);
    }
    long r;
    if (level == c->depth) {
        E2E_CHECK(gs_self() == c->self);
        r = 0;
    } else {
        r = descend(c, level + 1);
    }
    CHECK_FRAME(v, c->id, level);
    if (level % c->every == c->every / 2) { /* on the way up */
        yield_here(c);
        CHECK_FRAME(v, c->id, level);
    }
    return r + v[level % 6];
}

static void *body(void *arg)
{
    struct coro *c = arg;
    return (void *)descend(c, 0);
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    struct gs_stats before = e2e_stats();
    for (int i = 0; i < NCORO; i++) {
        struct coro *c = &coros[i];
        c->id = i;
        c->depth = 20 + (i * 53) % 300;
        c->every = 1 + c->depth / 5 + i % 7; /* about 5 yields down, 5 up */
        c->self = gs_spawn(body, c);
        E2E_CHECK(c->self != 0);
    }
    for (int i = 0; i < NCORO; i++) {
        struct coro *c = &coros[i];
        void *res = (void *)-1L;
        E2E_EQ_LONG(gs_join(c->self, &res), 0);
        long want = 0;
        long yields = 0;
        for (int level = 0; level <= c->depth; level++) {
            want += val(i, level, level % 6);
            yields += (level % c->every == 0) + (level % c->every == c->every / 2);
        }
        E2E_EQ_LONG((long)res, want);
        E2E_EQ_LONG(c->yields, yields);
    }
    E2E_EQ_LONG(bad, 0);
    /* Round robin: nearly every resume follows another coroutine. */
    long total_yields = 0;
    for (int i = 0; i < NCORO; i++)
        total_yields += coros[i].yields;
    printf("interleaved_coroutines: %ld yields, %ld resumed after another coroutine\n",
           total_yields, switches_between);
    E2E_CHECK(switches_between > total_yields / 2);
    struct gs_stats d = e2e_stats_since(&before);
    e2e_print_growth("interleaved_coroutines", &d);
    E2E_EQ_LONG(d.finished, NCORO);
    if (m.segmented)
        E2E_CHECK(d.splits > 0);
    if (m.contiguous) {
        E2E_CHECK(d.moves > 0);
        if (!m.forced) /* forced: see deep_recursion.c */
            E2E_EQ_LONG(d.pins, 0); /* nothing here takes the address of a local */
    }
    return e2e_done("interleaved_coroutines");
}
