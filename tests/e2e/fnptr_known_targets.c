/* fnptr_known_targets - calls through a pointer that can only hold functions
 * of this file, instrumented (a select between two static functions, the shape
 * of SQLite's xRecordCompare), recursing deep enough to grow the stack many
 * times while each frame's locals and the pointer's callers stay live, in every
 * mode. The plugin calls such a pointer without the range test
 * (protocol.md section 4; tests/lit/indirect-known-targets.ll checks the IR):
 * the target must be the function the pointer holds, and its frames must move
 * and split like any other.
 *
 * Under GROWSTACK_FORCE_MOVE=1 every check moves the whole stack, so the
 * recursion is shallower there. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#define DEPTH 20000L
#define FORCED_DEPTH 2000L

typedef long step_fn(long n, volatile long *acc);

static step_fn step_even, step_odd;

/* Which step comes next: a select of two instrumented functions. */
__attribute__((noinline)) static step_fn *next_step(long n)
{
    return (n & 1) ? step_odd : step_even;
}

__attribute__((noinline)) static long step_even(long n, volatile long *acc)
{
    volatile long mine = n * 3 + 1; /* lives across the call below */
    if (n == 0)
        return mine;
    step_fn *f = (n % 7 == 0) ? step_odd : step_even;
    if (n % 5 == 0)
        f = next_step(n);
    long r = f(n - 1, acc);
    *acc += 1;
    return mine == n * 3 + 1 ? r + mine : -1000000000L;
}

__attribute__((noinline)) static long step_odd(long n, volatile long *acc)
{
    volatile long mine = n * 5 + 2;
    if (n == 0)
        return mine;
    step_fn *f = (n & 2) ? step_even : step_odd;
    long r = f(n - 1, acc);
    *acc += 2;
    return mine == n * 5 + 2 ? r + mine : -1000000000L;
}

/* The same walk without growstack's help: which step runs at each n, in C. */
static long expect(long depth, long *acc)
{
    long sum = 0;
    int odd = 0; /* the body starts with step_even */
    for (long n = depth; n >= 0; n--) {
        sum += odd ? n * 5 + 2 : n * 3 + 1;
        if (n == 0)
            break;
        *acc += odd ? 2 : 1;
        if (odd)
            odd = !(n & 2);
        else if (n % 5 == 0)
            odd = (n & 1) != 0;
        else
            odd = n % 7 == 0;
    }
    return sum;
}

struct job {
    long depth;
    long acc;
    long result;
};

static void *body(void *arg)
{
    struct job *j = arg;
    volatile long acc = 0;
    j->result = step_even(j->depth, &acc);
    j->acc = acc;
    return 0;
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    struct job j = {.depth = m.forced ? FORCED_DEPTH : DEPTH};
    long want_acc = 0;
    long want = expect(j.depth, &want_acc);

    struct gs_stats before = e2e_stats();
    struct gs_spawn_attr attr = {.name = "known", .initial = 2048};
    gs_handle h = gs_spawn_with(body, &j, &attr);
    E2E_CHECK(h != 0);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    struct gs_stats d = e2e_stats_since(&before);
    e2e_print_growth("fnptr_known_targets", &d);

    E2E_EQ_LONG(j.result, want);
    E2E_EQ_LONG(j.acc, want_acc);
    if (m.segmented)
        E2E_CHECK(d.splits > 0);
    if (m.contiguous)
        E2E_CHECK(d.moves > 0);
    return 0;
}
