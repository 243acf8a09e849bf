/* deep_recursion - a recursion 10^6 frames deep on a coroutine spawned with a
 * 4 KiB initial stack (gs_spawn_attr.initial), result checked, in every mode.
 *
 * Growth: in segmented mode the recursion must have split (splits > 0, new
 * segments obtained); in contiguous mode it must have moved and, the stack
 * doubling at each move, only a logarithmic number of times (< 40 moves for
 * 4 KiB -> tens of MiB), never pinning (the frames are movable).
 *
 * Fixed mode maps GROWSTACK_MAX per coroutine, 8 MiB by default, and 10^6
 * frames need about 32 MiB: CMakeLists.txt runs the fixed configuration of
 * this program with GROWSTACK_MAX=128m (a spawn attribute cannot raise the
 * limit). The program checks that the limit is large enough and says so
 * otherwise, rather than dying of an overflow.
 *
 * GROWSTACK_FORCE_MOVE=1 moves the whole stack at every call, so a recursion
 * N deep costs O(N^2) bytes of copying (10^6 frames: ~16 TB). That
 * configuration recurses 4,000 deep instead, still over many moves. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#define DEPTH 1000000L
#define FORCED_DEPTH 4000L
#define FRAME_BYTES 32 /* ret + rbp + the volatile slot, 16-aligned */

/* value(n) is kept in the frame (volatile: it is really stored and read back
 * after the call, and the recursion cannot become a loop). */
static long value(long n) { return (n * 2654435761L) & 0xffff; }

__attribute__((noinline)) static long rec(long n)
{
    volatile long v = value(n);
    if (n == 0)
        return v;
    long r = rec(n - 1);
    if (v != value(n)) /* the frame survived the growth below it */
        return -1000000000L;
    return r + v;
}

static void *body(void *arg)
{
    long depth = (long)arg;
    return (void *)rec(depth);
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    long depth = m.forced ? FORCED_DEPTH : DEPTH;
    if (m.fixed)
        E2E_CHECK_MSG(m.c.max >= (size_t)DEPTH * FRAME_BYTES + (1 << 20),
                      "fixed mode needs GROWSTACK_MAX >= %ld (set by CMakeLists.txt), have %zu",
                      DEPTH * FRAME_BYTES + (1 << 20), m.c.max);

    long want = 0;
    for (long n = 0; n <= depth; n++)
        want += value(n);

    struct gs_stats before = e2e_stats();
    struct gs_spawn_attr attr = {.name = "deep", .initial = 4096};
    gs_handle h = gs_spawn_with(body, (void *)depth, &attr);
    E2E_CHECK(h != 0);
    void *res = NULL;
    E2E_EQ_LONG(gs_join(h, &res), 0);
    E2E_EQ_LONG((long)res, want);
    struct gs_stats d = e2e_stats_since(&before);
    e2e_print_growth("deep_recursion", &d);

    /* The coroutine reached at least depth * FRAME_BYTES of stack. */
    struct gs_stats now = e2e_stats();
    E2E_CHECK_MSG(now.max_stack_bytes >= (uint64_t)depth * FRAME_BYTES,
                  "max_stack_bytes %llu < %ld", (unsigned long long)now.max_stack_bytes,
                  depth * FRAME_BYTES);
    if (m.fixed) {
        E2E_EQ_LONG(d.splits, 0);
        E2E_EQ_LONG(d.moves, 0);
    }
    if (m.segmented) {
        E2E_CHECK(d.splits > 0);
        E2E_CHECK(d.segments_new > 0);
        E2E_EQ_LONG(d.moves, 0);
    }
    if (m.contiguous) {
        E2E_CHECK(d.moves > 0);
        if (m.forced) {
            /* Under forced moves every call grows, from the very first one: the
         * first growth of a phase finds the test's own frame (it holds the
         * stats snapshot given to gs_stats_get, so it is pinned) in the top
         * segment and chains a segment; from there on, frames move. */
            E2E_CHECK(d.pins <= 2 && d.splits == d.pins);
        } else {
            E2E_EQ_LONG(d.pins, 0);
            E2E_EQ_LONG(d.splits, 0);
        }
        if (!m.forced)
            E2E_CHECK_MSG(d.moves < 40, "%llu moves for one recursion: not logarithmic",
                          (unsigned long long)d.moves);
    }
    return e2e_done("deep_recursion");
}
