/* side_empty_state - after the first side frame of a coroutine returns, the
 * coroutine's first side chunk stays current (docs/protocol.md 7.2): the side
 * state is {chunk hi, chunk lo}, not the initial {NULL, UINTPTR_MAX}, so the
 * next side frame passes its inline check instead of calling __gs_side_alloc.
 *
 * A fresh coroutine whose own frames have no side frame calls a function with
 * an escaping local:
 *  - before the call: the initial state {NULL, UINTPTR_MAX};
 *  - after it: lim is a chunk's lo (not UINTPTR_MAX) and sp lies above it;
 *  - every later call puts the local at the same address, right below that
 *    sp, and leaves the state as it was; no further chunk is allocated;
 *  - a second coroutine starts from the initial state again, and both keep
 *    their own chunks across switches.
 * The state is read through __gs_side, whose layout protocol.md 7.2 fixes. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"
#include "e2e_side.h"

static int *volatile sink;

/* x escapes (its address goes to a global): a side frame. */
__attribute__((noinline)) static char *with_escape(int i)
{
    int x = i;
    sink = &x;
    return (char *)sink;
}

struct seen {
    struct side_state before, after_first, after_many;
    char *first_addr;
    long same_addr;
};

/* No escaping local here: this frame has no side frame of its own. */
__attribute__((noinline)) static void observe(struct seen *s, int yield_between)
{
    s->before = __gs_side;
    s->first_addr = with_escape(1);
    s->after_first = __gs_side;
    if (yield_between)
        gs_yield();
    s->same_addr = 0;
    for (int i = 0; i < 1000; i++)
        s->same_addr += with_escape(i) == s->first_addr;
    s->after_many = __gs_side;
}

static void *body(void *arg)
{
    observe(arg, 1);
    return NULL;
}

static void check(const struct seen *s)
{
    E2E_CHECK(s->before.sp == NULL);
    E2E_CHECK(s->before.lim == (char *)UINTPTR_MAX);
    E2E_CHECK(s->after_first.lim != (char *)UINTPTR_MAX);
    E2E_CHECK(s->after_first.sp > s->after_first.lim);
    /* The local sits in the frame right below the current sp. */
    E2E_CHECK(s->first_addr < s->after_first.sp);
    E2E_CHECK(s->first_addr >= s->after_first.sp - 16);
    E2E_CHECK(s->same_addr == 1000);
    E2E_CHECK(s->after_many.sp == s->after_first.sp);
    E2E_CHECK(s->after_many.lim == s->after_first.lim);
}

int main(void)
{
    struct seen a, b;
    gs_handle ha = gs_spawn(body, &a), hb = gs_spawn(body, &b);
    E2E_CHECK(ha && hb);
    E2E_CHECK(gs_resume(ha) == 0); /* a runs to its yield */
    E2E_CHECK(gs_resume(hb) == 0); /* b: a fresh coroutine, the initial state again */
    struct gs_stats before = e2e_stats();
    E2E_CHECK(gs_join(ha, NULL) == 0);
    E2E_CHECK(gs_join(hb, NULL) == 0);
    struct gs_stats after = e2e_stats();
    check(&a);
    check(&b);
    E2E_CHECK(a.after_first.lim != b.after_first.lim); /* each has its own chunk */
    /* 2000 side frames after the yields: no chunk allocated for them. */
    E2E_CHECK(after.side_chunks == before.side_chunks);
    printf("side_empty_state: %lu checks passed\n", e2e_checks);
    return 0;
}
