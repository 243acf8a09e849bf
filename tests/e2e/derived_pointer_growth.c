/* derived_pointer_growth - pointers into the middle of local arrays, held in
 * registers and spill slots across a call that grows the stack, then
 * dereferenced: after a contiguous move they must point into the new stack
 * (relocated as saved registers, spilled words or callee-saved registers saved
 * by deeper frames, docs/protocol.md 5.3). A stale pointer would write into the
 * freed old block and the array would keep its old value.
 *
 * The addresses never leave the function (no callee gets them, no inline asm,
 * no store outside the frame), so the plugin must not pin it: in contiguous
 * mode the counters must show moves and no pins. Two kinds of derived pointer:
 *  - found by a search loop (a phi the compiler cannot recompute from the frame
 *    base after the call: it keeps it in a callee-saved register or spills it;
 *    eight of them are live at once, more than there are callee-saved
 *    registers, so some are spilled);
 *  - stored in a volatile local (certainly a word of the frame).
 * The growing callee recurses `depth` frames of 200+ bytes, so it moves the
 * stack in contiguous mode (a few times at the start, then whenever it goes
 * deeper than before) and splits in segmented mode; every call runs on a
 * fresh coroutine at one of many depths, with several callee depths, and
 * counts whether the stack really grew under it. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#define N 64

__attribute__((noinline)) static long grow(int depth)
{
    volatile char pad[200];
    const int ix = (int)(depth & 7); /* not constant: the array stays whole */
    pad[ix] = (char)depth;
    pad[199 - ix] = 3;
    if (depth <= 0)
        return pad[199 - ix];
    return grow(depth - 1) + pad[199 - ix] + (pad[ix] != (char)depth);
}

/* Find the first element equal to key: a derived pointer computed by a loop. */
#define FIND(p, arr, key)                                                        \
    do {                                                                         \
        p = arr;                                                                 \
        while (*p != (key))                                                      \
            p++;                                                                 \
    } while (0)

/* The growth counters, read in a frame of their own (that one is pinned: it
 * passes the address of its struct to the runtime; it is never live during
 * grow()). */
__attribute__((noinline)) static uint64_t growths_now(void)
{
    struct gs_stats st;
    gs_stats_get(&st);
    return st.moves + st.splits;
}

/* Calls of derived() whose grow() moved or split the stack under them. */
static long grew_under;

static long volatile keys[8] = {3, 17, 29, 41, 5, 60, 33, 11};

__attribute__((noinline)) static long derived(int depth, long seed)
{
    long a[N], b[N];
    for (int i = 0; i < N; i++) {
        a[i] = seed + i;
        b[i] = seed * 3 + i;
    }
    long *p0, *p1, *p2, *p3, *p4, *p5, *p6, *p7;
    FIND(p0, a, seed + keys[0]);
    FIND(p1, a, seed + keys[1]);
    FIND(p2, a, seed + keys[2]);
    FIND(p3, a, seed + keys[3]);
    FIND(p4, b, seed * 3 + keys[4]);
    FIND(p5, b, seed * 3 + keys[5]);
    FIND(p6, b, seed * 3 + keys[6]);
    FIND(p7, b, seed * 3 + keys[7]);
    long *volatile vp = &a[depth % N]; /* a frame word holding a derived pointer */

    uint64_t before = growths_now();
    long g = grow(depth); /* grows: moves or splits */
    grew_under += growths_now() != before;

    /* Write through the old pointers, then read through the arrays. */
    *p0 += 1000;
    *p1 += 2000;
    *p2 += 3000;
    *p3 += 4000;
    *p4 += 5000;
    *p5 += 6000;
    *p6 += 7000;
    *p7 += 8000;
    *vp += 100000;
    long bad = 0;
    for (int i = 0; i < N; i++) {
        long wa = seed + i, wb = seed * 3 + i;
        if (i == keys[0]) wa += 1000;
        if (i == keys[1]) wa += 2000;
        if (i == keys[2]) wa += 3000;
        if (i == keys[3]) wa += 4000;
        if (i == depth % N) wa += 100000;
        if (i == keys[4]) wb += 5000;
        if (i == keys[5]) wb += 6000;
        if (i == keys[6]) wb += 7000;
        if (i == keys[7]) wb += 8000;
        bad += (a[i] != wa) + (b[i] != wb);
    }
    return bad ? -bad : g;
}

static int callee_depths[] = {0, 1, 7, 40, 200, 900};

struct job {
    int depth, callee_depth;
    long result, grew;
};

static void check(void *arg)
{
    struct job *j = arg;
    long before = grew_under;
    j->result = derived(j->callee_depth, 1000 + j->callee_depth);
    j->grew = grew_under - before;
}

static void *body(void *arg)
{
    struct job *j = arg;
    e2e_at_depth(j->depth, check, j);
    return NULL;
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    static const int depths[] = {0, 1, 2, 3, 4, 5, 6, 7, 9, 11, 13, 16, 19, 23, 28, 33, 40,
                                 47, 64, 100, 257, 513, 1000};
    long calls = 0;
    struct gs_stats before = e2e_stats();
    /* Each call on a fresh coroutine (a fresh 2 KiB stack in the growable
     * modes), so that grow() grows the stack under derived() every time it goes
     * deeper than a few frames; at many depths, so the boundary falls at many
     * offsets. Not on main's coroutine: main's frame is pinned (it passes
     * addresses of its locals), and a pinned frame below would turn moves into
     * pins. */
    for (size_t i = 0; i < sizeof depths / sizeof depths[0]; i++) {
        for (size_t k = 0; k < sizeof callee_depths / sizeof callee_depths[0]; k++) {
            struct job j = {.depth = depths[i], .callee_depth = callee_depths[k]};
            gs_handle h = gs_spawn(body, &j);
            E2E_CHECK(h != 0);
            E2E_EQ_LONG(gs_join(h, NULL), 0);
            E2E_CHECK_MSG(j.result == 3L * (j.callee_depth + 1),
                          "depth %d, callee depth %d: %ld (negative: wrong elements)",
                          j.depth, j.callee_depth, j.result);
            calls++;
            /* 900 frames of 200+ bytes on a fresh stack: it grew under them. */
            if (!m.fixed && j.callee_depth == 900)
                E2E_CHECK_MSG(j.grew == 1, "depth %d: the stack did not grow under derived()",
                              j.depth);
        }
    }
    struct gs_stats d = e2e_stats_since(&before);
    e2e_print_growth("derived_pointer_growth", &d);
    printf("derived_pointer_growth: the stack grew under %ld of %ld calls\n", grew_under,
           calls);
    if (m.segmented)
        E2E_CHECK(d.splits > 0);
    if (m.contiguous) {
        E2E_CHECK(d.moves > 0);
        if (!m.forced) { /* forced: see deep_recursion.c */
            E2E_EQ_LONG(d.splits, 0);
            E2E_EQ_LONG(d.pins, 0); /* derived() and everything below it movable */
        }
    }
    return e2e_done("derived_pointer_growth");
}
