/* segmented_descent - a descent through several segments, repeated, takes
 * __morestack's C half at most once per descent (docs/protocol.md 5.2).
 * __morestack repeats a split without its C half in the two states a
 * repeated split meets: top one segment ahead of %rsp (a segmented return
 * left it there) and top current with its next segment cached (the C half of
 * a split or of a resync made it so). A recursion through five or more
 * segments is run again and again:
 *   - returning normally: the returns leave top on the deepest segment, so
 *     the next descent's first split takes the C half (which brings top back
 *     to %rsp's segment) and every later one the fast path: at most one slow
 *     split per descent;
 *   - left by a longjmp from the deepest frame: the landing's resync brings
 *     top to the base segment, and every split of the next descent is a
 *     fast one (at most one slow split per descent allowed here too).
 * Before 2026-12-07 only the first state was repeated, and every boundary of
 * such a descent took the C half. The sums of the recursion are checked in
 * every mode; the counts in segmented mode, where the recursion must split
 * at least three times per descent. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#include <setjmp.h>

#define DEPTH 200
#define ROUNDS 40

static jmp_buf out;

/* About 240 bytes a frame: 48 KB at DEPTH, six 8 KiB segments. At the bottom
 * it longjmps to `out` when `jump` is set. */
__attribute__((noinline)) static long down(int n, int jump)
{
    volatile char pad[200];
    pad[n & 127] = (char)n;
    if (n == 0) {
        if (jump)
            longjmp(out, 7);
        return 1;
    }
    long r = down(n - 1, jump);
    return r + pad[n & 127];
}

static long want(int n)
{
    long r = 1;
    for (int i = 1; i <= n; i++)
        r += (char)i;
    return r;
}

/* ROUNDS descents; the counters of all but the first (which makes the
 * segments). */
static struct gs_stats descents(int jump)
{
    struct gs_stats before = {0};
    for (int r = 0; r < ROUNDS; r++) {
        if (r == 1)
            before = e2e_stats();
        if (jump) {
            volatile int landed = 0;
            if (setjmp(out) == 0) {
                down(DEPTH, 1);
                E2E_CHECK_MSG(0, "round %d: the longjmp from the bottom did not happen", r);
            } else {
                landed = 1;
            }
            E2E_EQ_LONG(landed, 1);
        } else {
            E2E_EQ_LONG(down(DEPTH, 0), want(DEPTH));
        }
    }
    return e2e_stats_since(&before);
}

int main(void)
{
    struct e2e_cfg cfg = e2e_cfg();
    const char *how[2] = {"returning", "left by a longjmp"};
    for (int jump = 0; jump < 2; jump++) {
        struct gs_stats d = descents(jump);
        printf("segmented_descent, %s: %d descents, splits %llu, slow %llu\n", how[jump],
               ROUNDS - 1, (unsigned long long)d.splits, (unsigned long long)d.splits_slow);
        if (!cfg.segmented)
            continue;
        E2E_CHECK_MSG(d.splits >= 3 * (ROUNDS - 1),
                      "%s: %llu splits in %d descents, want at least 3 each", how[jump],
                      (unsigned long long)d.splits, ROUNDS - 1);
        E2E_CHECK_MSG(d.splits_slow <= ROUNDS - 1,
                      "%s: %llu of %llu splits took the C half in %d descents, want at most one "
                      "each",
                      how[jump], (unsigned long long)d.splits_slow,
                      (unsigned long long)d.splits, ROUNDS - 1);
    }
    return e2e_done("segmented_descent");
}
