/* hot_split_loop - the segmented "hot split": a loop calling, 100,000 times, a
 * function whose frame does not fit in what is left of the current segment,
 * so every call splits and every return unchains (docs/protocol.md 5.2).
 *
 * The loop runs at every depth from 0 to 159 frames of e2e_descend (32 bytes
 * each at -O2: 5 KiB, past the end of the 2 KiB first segment and across
 * several 2 KiB segments in segmented-tiny; the boundary passes through every
 * 32-byte offset of the 512-byte callee frame), a few hundred calls per depth; at the depth where the splits per call are highest (every call
 * splits in segmented mode), the 100,000-call loop. Only correctness is
 * checked (sums), plus, in segmented mode: that the hot depth exists (one
 * split per call) and that the splits of that loop were served by the cached
 * segment (segments_reused dominates segments_new). */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#define HOT_CALLS 100000
#define SCAN_CALLS 200
#define MAX_DEPTH 160

static long f_value(long i) { return (i * 2654435761L) % 1000003; }

/* 512 bytes of frame: past the 256-byte threshold of the backend's short
 * check. The indices vary, so the compiler cannot split the array into the two
 * elements used (it does that with constant indices, volatile or not). */
__attribute__((noinline)) static long hot(long i)
{
    volatile long buf[64];
    buf[i & 63] = f_value(i);
    buf[(i + 32) & 63] = i;
    return buf[i & 63] + (buf[(i + 32) & 63] != i);
}

struct loop {
    long calls, sum;
    uint64_t splits; /* splits during the loop */
};

/* Holds no address of a local: movable in contiguous mode. */
__attribute__((noinline)) static long loop(long calls)
{
    long sum = 0;
    for (long i = 0; i < calls; i++)
        sum += hot(i);
    return sum;
}

static uint64_t splits_now(void)
{
    return e2e_stats().splits;
}

static void run_loop(void *arg)
{
    struct loop *l = arg;
    uint64_t s0 = splits_now();
    l->sum = loop(l->calls);
    l->splits = splits_now() - s0;
}

static long expect(long calls)
{
    long sum = 0;
    for (long i = 0; i < calls; i++)
        sum += f_value(i);
    return sum;
}

/* Static, not locals of body(): passing a local's address would pin body's
 * frame, and contiguous mode would then chain a segment at every call instead
 * of moving once. */
static struct loop scan, hot_loop;

static void *body(void *arg)
{
    (void)arg;
    struct e2e_cfg m = e2e_cfg();
    long want_scan = expect(SCAN_CALLS);
    int hot_depth = 40;
    uint64_t best = 0;
    for (int d = 0; d < MAX_DEPTH; d++) {
        scan.calls = SCAN_CALLS;
        e2e_at_depth(d, run_loop, &scan);
        E2E_EQ_LONG(scan.sum, want_scan);
        if (scan.splits > best) {
            best = scan.splits;
            hot_depth = d;
        }
    }
    if (m.segmented)
        E2E_CHECK_MSG(best >= SCAN_CALLS, "no depth where every call splits (best %llu)",
                      (unsigned long long)best);

    struct loop *l = &hot_loop;
    l->calls = HOT_CALLS;
    struct gs_stats before = e2e_stats();
    e2e_at_depth(hot_depth, run_loop, l);
    struct gs_stats d = e2e_stats_since(&before);
    E2E_EQ_LONG(l->sum, expect(HOT_CALLS));
    printf("hot_split_loop: hot depth %d, %llu splits in %ld calls\n", hot_depth,
           (unsigned long long)l->splits, l->calls);
    e2e_print_growth("hot_split_loop", &d);
    if (m.segmented) {
        E2E_CHECK(l->splits >= HOT_CALLS);
        /* The segment of the first split is cached and reused by the others. */
        E2E_CHECK(d.segments_reused >= HOT_CALLS - 1);
        E2E_CHECK_MSG(d.segments_reused > 1000 * d.segments_new,
                      "reused %llu, new %llu", (unsigned long long)d.segments_reused,
                      (unsigned long long)d.segments_new);
    }
    if (m.contiguous) {
        /* Nothing pinned: the stack moved instead of chaining, so no call
         * splits (with forced moves each call moves instead). */
        E2E_EQ_LONG(d.pins, 0);
        E2E_EQ_LONG(d.splits, 0);
    }
    return NULL;
}

int main(void)
{
    gs_handle h = gs_spawn(body, NULL);
    E2E_CHECK(h != 0);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    return e2e_done("hot_split_loop");
}
