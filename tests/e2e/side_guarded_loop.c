/* side_guarded_loop - a side frame whose locals are used only inside a loop
 * is set up at the first use a call reaches, not at entry (guarded placement,
 * docs/protocol.md 7.2; Lua's luaV_execute keeps a few TValues on the side
 * stack for the metamethod paths of its interpreter loop):
 *  - a call that reaches no use leaves __gs_side as it found it, also while
 *    it runs (a probe called from the loop sees the caller's state);
 *  - a call that reaches uses sets the frame up once, at the first: the
 *    probe sees one frame below the caller's state from then on, whatever
 *    the number of iterations that use it;
 *  - the escaped address stays valid for the rest of the call, across
 *    calls that grow (and, with GROWSTACK_FORCE_MOVE, move) the stack;
 *  - every return restores the state the call found;
 *  - the same for a field of a struct, whose address the optimiser may
 *    compute once, in the entry block, for the whole loop.
 * The probe and the rest of the test read __gs_side, whose layout protocol.md
 * 7.2 fixes. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_side.h"

#include <growstack.h>

static int *volatile kept;
static volatile int rare_every;
static struct side_state probe_seen[4];
static int probe_n;

/* The address escapes (a global keeps it): x lives on the side stack. */
__attribute__((noinline)) static void keep(int *p)
{
    kept = p;
}

__attribute__((noinline)) static void probe(void)
{
    if (probe_n < 4)
        probe_seen[probe_n++] = __gs_side;
}

/* Grows the stack by about 16 KiB with frames whose locals do not escape. */
__attribute__((noinline)) static int deep(int n)
{
    volatile char pad[512];
    pad[0] = (char)n;
    if (n == 0)
        return pad[0];
    return deep(n - 1) + pad[0];
}

/* Each iteration whose counter is a multiple of `every` (0: none) keeps the
 * address of x, grows the stack, and reads x back through the kept pointer.
 * The probe runs before the first iteration, after the first use, after the
 * second. The loop runs at least once and is entered from the entry block,
 * so no block outside it dominates the uses (with a preheader there, the
 * frame would be set up lazily there, protocol.md 7.2). */
__attribute__((noinline)) static long loop(int n, int every)
{
    long sum = 0;
    int uses = 0, i = 0;
    probe();
    for (;;) { /* entered from the entry block: no preheader to set up in */
        if (every && i % every == 0) {
            int x = i * 3;
            keep(&x);
            deep(32);
            sum += *kept;
            if (++uses <= 2)
                probe();
        }
        sum += i;
        if (++i >= n)
            return sum;
    }
}

struct pair {
    int a[4];
};

__attribute__((noinline)) static long loop_field(int n, int every)
{
    long sum = 0;
    struct pair s;
    int i = 0;
    for (;;) {
        if (every && i % every == 0) {
            s.a[2] = i;
            keep(&s.a[2]);
            deep(32);
            sum += *kept;
            probe();
        }
        if (++i >= n)
            return sum;
    }
}

static long expect(int n, int every)
{
    long sum = 0;
    for (int i = 0; i < n; i++)
        sum += i + (every && i % every == 0 ? i * 3 : 0);
    return sum;
}

static int same(struct side_state a, struct side_state b)
{
    return a.sp == b.sp && a.lim == b.lim && a.jb == b.jb;
}

static void *body(void *arg)
{
    (void)arg;
    int every = rare_every;
    /* The owner's first side frame takes its first chunk, which then stays
     * current (protocol.md 7.2): the state every later call finds. */
    E2E_CHECK(loop(10, 1) == expect(10, 1));
    struct side_state before = __gs_side;
    E2E_CHECK(before.lim != (char *)UINTPTR_MAX);

    /* No use reached: nothing set up, before or after. */
    probe_n = 0;
    E2E_CHECK(loop(1000, 0) == expect(1000, 0));
    E2E_CHECK(probe_n == 1);
    E2E_CHECK(same(probe_seen[0], before));
    E2E_CHECK(same(__gs_side, before));

    /* Uses reached: set up at the first, once. */
    probe_n = 0;
    E2E_CHECK(loop(1000, every) == expect(1000, every));
    E2E_CHECK(probe_n == 3);
    E2E_CHECK(same(probe_seen[0], before));
    /* One small frame below the caller's state (or at the top of a new chunk). */
    E2E_CHECK(probe_seen[1].sp != before.sp);
    E2E_CHECK(probe_seen[1].sp >= probe_seen[1].lim);
    E2E_CHECK(same(probe_seen[2], probe_seen[1]));
    E2E_CHECK(same(__gs_side, before));

    /* A field of a struct local. */
    probe_n = 0;
    long want = 0;
    for (int i = 0; i < 500; i += every)
        want += i;
    E2E_CHECK(loop_field(500, every) == want);
    E2E_CHECK(probe_n == 4);
    E2E_CHECK(probe_seen[0].sp != before.sp);
    E2E_CHECK(same(probe_seen[1], probe_seen[0]));
    E2E_CHECK(same(probe_seen[3], probe_seen[0]));
    E2E_CHECK(same(__gs_side, before));

    /* Many calls: no side stack left behind by any of them. */
    for (int k = 0; k < 10000; k++)
        E2E_CHECK(loop(20, k % 3) == expect(20, k % 3));
    E2E_CHECK(same(__gs_side, before));
    return NULL;
}

int main(void)
{
    rare_every = 7;
    gs_handle h = gs_spawn(body, NULL);
    E2E_CHECK(h != 0);
    E2E_CHECK(gs_join(h, NULL) == 0);
    /* And outside coroutines, on the thread's own side stack. */
    body(NULL);
    printf("side_guarded_loop: %lu checks passed\n", e2e_checks);
    return 0;
}
