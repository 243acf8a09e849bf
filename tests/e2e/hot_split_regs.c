/* hot_split_regs - what a repeated split must keep: __morestack repeats a hot
 * split without its C half (docs/protocol.md 5.2) and may touch only %rax,
 * %r10, %r11 and, saved, %rcx and %rdx. At every depth across the first
 * segments, loops call:
 *   - hot_ints: six integer and eight floating-point register arguments, a
 *     512-byte frame; every argument must arrive intact;
 *   - hot_double: returns in %xmm0 what its arguments make;
 *   - hot_stack: eight integer arguments, two on the stack; hot_stack7:
 *     seven, one on the stack (8 bytes of ARGS, padded to 16 on the new
 *     segment); hot_struct: a 40-byte struct by value, on the stack, and an
 *     integer; __morestack copies the stack arguments itself;
 *   - hot_jump: longjmps out of the split body every 7th call, so %rsp
 *     returns to the loop with top lagging behind in another state;
 *   - hot_yield: yields to the main coroutine every 5th call and is resumed
 *     on the new segment.
 * The scan runs three times: on a plain stack, and above a pinned frame of
 * pinned_a, then of pinned_b, whose frame addresses leave the stack: in
 * contiguous mode each growth above them chains a segment, and __morestack
 * repeats those splits while the verdict cached for pinned_a's frame holds
 * and must stop trusting it when pinned_b's frame replaces it at the same
 * place (protocol.md 5.4). Sums are checked against the same arithmetic done
 * without a split; that the hot depth exists (a split per call) in segmented
 * mode, and above the pinned frames in contiguous mode; and that at that depth
 * under a tenth of the splits ran the C half (splits_slow: the first after a
 * longjmp or a yield), stack arguments or not. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#include <setjmp.h>

#define CALLS 2000
#define MAX_DEPTH 160

static long mix(long a, long b, long c, long d, long e, long f)
{
    return a * 3 + b * 5 + c * 7 + d * 11 + e * 13 + f * 17;
}

__attribute__((noinline)) static long hot_ints(long a, long b, long c, long d, long e, long f,
                                               double x0, double x1, double x2, double x3,
                                               double x4, double x5, double x6, double x7)
{
    volatile long buf[64];
    buf[a & 63] = mix(a, b, c, d, e, f);
    double s = x0 + 2 * x1 + 3 * x2 + 4 * x3 + 5 * x4 + 6 * x5 + 7 * x6 + 8 * x7;
    return buf[a & 63] + (long)s;
}

__attribute__((noinline)) static double hot_double(double x, long i)
{
    volatile double buf[64];
    buf[i & 63] = x * 0.5 + (double)i;
    return buf[i & 63];
}

__attribute__((noinline)) static long hot_stack(long a, long b, long c, long d, long e, long f,
                                                long g, long h)
{
    volatile long buf[64];
    buf[h & 63] = mix(a, b, c, d, e, f) + g * 19 + h * 23;
    return buf[h & 63];
}

__attribute__((noinline)) static long hot_stack7(long a, long b, long c, long d, long e, long f,
                                                 long g)
{
    volatile long buf[64];
    buf[g & 63] = mix(a, b, c, d, e, f) + g * 37;
    return buf[g & 63];
}

struct five {
    long v[5];
};

__attribute__((noinline)) static long hot_struct(struct five s, long i)
{
    volatile long buf[64];
    buf[i & 63] = s.v[0] + 2 * s.v[1] + 3 * s.v[2] + 4 * s.v[3] + 5 * s.v[4] + i * 41;
    return buf[i & 63];
}

/* The struct is built here, not in loop: loop's frame stays under 256 bytes,
 * as it was before hot_struct came (its check, and so the depths the scan
 * tries, unchanged). */
__attribute__((noinline)) static long call_struct(long i)
{
    struct five fv = {{i, i + 1, i + 2, i + 3, i + 4}};
    return hot_struct(fv, i);
}

static jmp_buf *jump_to;

__attribute__((noinline)) static long hot_jump(long i)
{
    volatile long buf[64];
    buf[i & 63] = i * 29;
    if (i % 7 == 0)
        longjmp(*jump_to, (int)(i % 100) + 1);
    return buf[i & 63];
}

__attribute__((noinline)) static long hot_yield(long i)
{
    volatile long buf[64];
    buf[i & 63] = i * 31;
    if (i % 5 == 0)
        gs_yield();
    return buf[i & 63];
}

static long expect_one(long i)
{
    long ints = mix(i, i + 1, i + 2, i + 3, i + 4, i + 5) +
                (long)((double)i + 2 * 1.5 + 3 * 2.5 + 4 * 3.5 + 5 * 4.5 + 6 * 5.5 + 7 * 6.5 +
                       8 * 7.5);
    long dbl = (long)((double)i * 0.5 + (double)i);
    long stk = mix(i, 2 * i, 3 * i, 4 * i, 5 * i, 6 * i) + 7 * i * 19 + 8 * i * 23;
    long stk7 = mix(i, i + 2, i + 4, i + 6, i + 8, i + 10) + (i + 12) * 37;
    long strct = i + 2 * (i + 1) + 3 * (i + 2) + 4 * (i + 3) + 5 * (i + 4) + i * 41;
    long jmp = i % 7 == 0 ? (i % 100) + 1 : i * 29;
    long yld = i * 31;
    return ints + dbl + stk + stk7 + strct + jmp + yld;
}

struct loop {
    long calls, sum;
    uint64_t splits, slow;
};

/* Every local whose address escapes (the jmp_buf) goes to the side stack:
 * the frame stays movable in contiguous mode. */
__attribute__((noinline)) static long loop(long calls)
{
    long sum = 0;
    for (long i = 0; i < calls; i++) {
        sum += hot_ints(i, i + 1, i + 2, i + 3, i + 4, i + 5, (double)i, 1.5, 2.5, 3.5, 4.5, 5.5,
                        6.5, 7.5);
        sum += (long)hot_double((double)i, i);
        sum += hot_stack(i, 2 * i, 3 * i, 4 * i, 5 * i, 6 * i, 7 * i, 8 * i);
        sum += hot_stack7(i, i + 2, i + 4, i + 6, i + 8, i + 10, i + 12);
        sum += call_struct(i);
        jmp_buf jb;
        jmp_buf *outer = jump_to;
        jump_to = &jb;
        int r = setjmp(jb);
        if (r == 0)
            sum += hot_jump(i);
        else
            sum += r;
        jump_to = outer;
        sum += hot_yield(i);
    }
    return sum;
}

static void run_loop(void *arg)
{
    struct loop *l = arg;
    struct gs_stats s0 = e2e_stats();
    l->sum = loop(l->calls);
    struct gs_stats s1 = e2e_stats();
    l->splits = s1.splits - s0.splits;
    l->slow = s1.splits_slow - s0.splits_slow;
}

static struct loop scan;
static long want;

/* The largest number of splits of one loop over the depths; best_slow: how
 * many of them ran the C half. */
static uint64_t best_slow;

static void *scan_depths(void *arg)
{
    (void)arg;
    uint64_t best = 0;
    for (int d = 0; d < MAX_DEPTH; d += 3) {
        scan.calls = CALLS;
        e2e_at_depth(d, run_loop, &scan);
        E2E_EQ_LONG(scan.sum, want);
        if (scan.splits > best) {
            best = scan.splits;
            best_slow = scan.slow;
        }
    }
    return (void *)(uintptr_t)best;
}

void *volatile frame_sink;

/* Two pinned frames of different functions, so of different return
 * addresses in the frames above them. */
__attribute__((noinline)) static void *pinned_a(void *arg)
{
    frame_sink = __builtin_frame_address(0);
    void *r = scan_depths(arg);
    frame_sink = NULL;
    return r;
}

__attribute__((noinline)) static void *pinned_b(void *arg)
{
    frame_sink = __builtin_frame_address(0);
    void *r = scan_depths(arg);
    frame_sink = (void *)1;
    return r;
}

static uint64_t plain, a, b, plain_slow, a_slow, b_slow;
static struct gs_stats pinned_stats;

static void *plain_body(void *arg)
{
    plain = (uintptr_t)scan_depths(arg);
    plain_slow = best_slow;
    return NULL;
}

/* On a fresh stack: the plain scan's coroutine has grown (moved) its own. */
static void *pinned_body(void *arg)
{
    struct gs_stats before = e2e_stats();
    a = (uintptr_t)pinned_a(arg);
    a_slow = best_slow;
    b = (uintptr_t)pinned_b(arg);
    b_slow = best_slow;
    pinned_stats = e2e_stats_since(&before);
    return NULL;
}

/* Resume it until it finishes: hot_yield yields back here. */
static void run(void *(*fn)(void *))
{
    gs_handle h = gs_spawn(fn, NULL);
    E2E_CHECK(h != 0);
    long resumes = 0;
    while (gs_done(h) == 0) {
        E2E_EQ_LONG(gs_resume(h), 0);
        resumes++;
    }
    E2E_CHECK(resumes > 1);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    for (long i = 0; i < CALLS; i++)
        want += expect_one(i);
    run(plain_body);
    run(pinned_body);
    printf("hot_split_regs: at most %llu / %llu / %llu splits in a loop of %d x 7 calls "
           "(plain / above pinned_a / above pinned_b), %llu / %llu / %llu of them slow\n",
           (unsigned long long)plain, (unsigned long long)a, (unsigned long long)b, CALLS,
           (unsigned long long)plain_slow, (unsigned long long)a_slow,
           (unsigned long long)b_slow);
    e2e_print_growth("hot_split_regs (pinned)", &pinned_stats);
    if (m.segmented) {
        E2E_CHECK_MSG(plain >= CALLS, "no depth where every call splits (best %llu)",
                      (unsigned long long)plain);
        E2E_CHECK_MSG(plain_slow * 10 < plain, "%llu of %llu hot splits ran the C half",
                      (unsigned long long)plain_slow, (unsigned long long)plain);
    }
    if (m.contiguous && !m.forced) {
        E2E_CHECK_MSG(a >= CALLS && b >= CALLS,
                      "above a pinned frame, no depth where every call splits (%llu, %llu)",
                      (unsigned long long)a, (unsigned long long)b);
        E2E_CHECK(pinned_stats.pins >= 2 * CALLS);
    }
    return e2e_done("hot_split_regs");
}
