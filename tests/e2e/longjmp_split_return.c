/* longjmp_split_return - a split whose body a longjmp landed in returns by
 * __morestack_return's jump (docs/protocol.md 5.2): after a longjmp the
 * processor's return stack no longer pairs the returns below the landing
 * with their calls, so __morestack_return, told by the longjmp wrappers
 * (gs_stack_split_mark), skips F's retq and jumps to F's caller. Built with
 * -DSPLIT_RETURN_YIELD (yield_split_return) the same after a context switch:
 * the sweep runs in a coroutine that main resumes, and `land` yields instead
 * of jumping (the resume raises the thread's switch count). The jump must leave everything as
 * F's own return would:
 *   - each function below has a frame over 256 bytes and calls `land` last,
 *     which setjmps and longjmps back into its own frame (or yields and is
 *     resumed there); a split at the function or at `land` returns after that
 *     landing;
 *   - the results travel in %rax (long, and the address of a struct returned
 *     in memory), %rax:%rdx (a 16-byte struct), %xmm0 (double), %xmm0:%xmm1
 *     (_Complex double), %st0 (long double) and %st0:%st1 (_Complex long
 *     double); two of the functions have stack arguments (ARGS copied to the
 *     new segment); the checking function keeps values live across the calls
 *     (callee-saved registers);
 *   - every split of a round returns after a landing made since the last
 *     split called its body (nothing in a round calls anything after `land`
 *     but returns and checks; main's loop of resumes splits nowhere at its
 *     depth), so every split's return is a jumped one:
 *     `returns_jumped` equals `splits` for every round, in every mode (none
 *     of either in fixed mode; in contiguous mode only chains above a pinned
 *     frame). In segmented mode the sweep must meet splits.
 * On a runtime without the jump, returns_jumped stays 0 where splits are not.
 * Results are exact small integers and halves, compared with the same
 * arithmetic done here without the calls. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#include <complex.h>
#include <setjmp.h>

#ifdef SPLIT_RETURN_YIELD
#define TEST_NAME "yield_split_return"
#else
#define TEST_NAME "longjmp_split_return"
#endif

/* A frame over 256 bytes (the long form of the check); indexed by a
 * variable so that the compiler keeps the array. */
#define BIG_FRAME(seed)                                                          \
    volatile long big_[40];                                                      \
    big_[(unsigned long)(seed) & 31] = 1;                                        \
    (void)big_[(unsigned long)(seed) & 31]

#ifdef SPLIT_RETURN_YIELD
/* Yield to main, which resumes this frame. Returns (seed + 1) * 3. */
__attribute__((noinline)) static long land(long seed)
{
    volatile long v = seed + 1;
    gs_yield();
    return v * 3;
}
#else
/* setjmp, then longjmp back into this frame: lands in the segment this frame
 * is on. Returns (seed + 1) * 3. */
__attribute__((noinline)) static long land(long seed)
{
    jmp_buf b;
    volatile long v = seed;
    if (setjmp(b) == 0) {
        v = v + 1;
        longjmp(b, 1);
    }
    return v * 3;
}
#endif

static long landed(long seed)
{
    return (seed + 1) * 3;
}

/* 8 integers: 2 on the stack. */
__attribute__((noinline)) static long f_long(long a, long b, long c, long d, long e, long f,
                                             long g, long h)
{
    BIG_FRAME(a);
    long r = a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
    return r + land(a);
}

struct pair {
    long x, y;
};

__attribute__((noinline)) static struct pair f_pair(long a, long b)
{
    BIG_FRAME(a);
    long l = land(b);
    return (struct pair){a * 3 + l, b * 5 - l};
}

struct five {
    long v[5];
};

/* Returned in memory: %rax holds the buffer's address on return. */
__attribute__((noinline)) static struct five f_five(long a)
{
    BIG_FRAME(a);
    struct five r;
    for (int i = 0; i < 5; i++)
        r.v[i] = a * (i + 1);
    r.v[4] += land(a);
    return r;
}

__attribute__((noinline)) static double f_double(double x, long s)
{
    BIG_FRAME(s);
    return x * 0.5 + (double)land(s);
}

__attribute__((noinline)) static _Complex double f_cdouble(double re, double im, long s)
{
    BIG_FRAME(s);
    double l = (double)land(s);
    return (re + l) + (im - l) * I;
}

/* Long doubles go on the stack: ARGS. */
__attribute__((noinline)) static long double f_ldouble(long double x, long s)
{
    BIG_FRAME(s);
    return x * 2 + (long double)land(s);
}

__attribute__((noinline)) static _Complex long double f_cldouble(long double re, long double im,
                                                                 long s)
{
    BIG_FRAME(s);
    long double l = (long double)land(s);
    return (re * 3 + l) + (im - l) * I;
}

struct round {
    long seed;
};

/* One round at the depth e2e_at_depth reached: call each function, check
 * what came back. The values computed before the calls stay live across
 * them. No call after the last `land` but the checks' (which call only on
 * failure). */
static void check(void *arg)
{
    long s = ((struct round *)arg)->seed;
    long k1 = s * 7 + 1, k2 = s * 11 + 2, k3 = s * 13 + 3;

    long r = f_long(s, s + 1, s + 2, s + 3, s + 4, s + 5, s + 6, s + 7);
    long want = 0;
    for (long i = 0; i < 8; i++)
        want += (i + 1) * (s + i);
    E2E_EQ_LONG(r, want + landed(s));

    struct pair p = f_pair(s, s + 9);
    E2E_EQ_LONG(p.x, s * 3 + landed(s + 9));
    E2E_EQ_LONG(p.y, (s + 9) * 5 - landed(s + 9));

    struct five f = f_five(s);
    for (int i = 0; i < 4; i++)
        E2E_EQ_LONG(f.v[i], s * (i + 1));
    E2E_EQ_LONG(f.v[4], s * 5 + landed(s));

    double d = f_double((double)s + 0.5, s);
    E2E_CHECK_MSG(d == ((double)s + 0.5) * 0.5 + (double)landed(s), "f_double: %g", d);

    _Complex double c = f_cdouble((double)s, 0.5, s);
    E2E_CHECK_MSG(creal(c) == (double)s + (double)landed(s) &&
                      cimag(c) == 0.5 - (double)landed(s),
                  "f_cdouble: %g%+gi", creal(c), cimag(c));

    long double ld = f_ldouble((long double)s + 0.25L, s);
    E2E_CHECK_MSG(ld == ((long double)s + 0.25L) * 2 + (long double)landed(s), "f_ldouble: %Lg",
                  ld);

    _Complex long double cl = f_cldouble((long double)s, 1.5L, s);
    E2E_CHECK_MSG(creall(cl) == (long double)s * 3 + (long double)landed(s) &&
                      cimagl(cl) == 1.5L - (long double)landed(s),
                  "f_cldouble: %Lg%+Lgi", creall(cl), cimagl(cl));

    E2E_EQ_LONG(k1, s * 7 + 1);
    E2E_EQ_LONG(k2, s * 11 + 2);
    E2E_EQ_LONG(k3, s * 13 + 3);
}

static void *sweep(void *unused)
{
    (void)unused;
    struct e2e_cfg cfg = e2e_cfg();
    static const int deep[] = {64, 100, 257, 513, 1000};
    int depths[48 + sizeof deep / sizeof deep[0]];
    int n = 0;
    for (int d = 0; d < 48; d++)
        depths[n++] = d;
    for (size_t i = 0; i < sizeof deep / sizeof deep[0]; i++)
        depths[n++] = deep[i];

    unsigned long long splits = 0, jumped = 0;
    for (int rep = 0; rep < 3; rep++) {
        for (int i = 0; i < n; i++) {
            struct round r = {.seed = depths[i] + rep};
            struct gs_stats before = e2e_stats();
            e2e_at_depth(depths[i], check, &r);
            struct gs_stats dd = e2e_stats_since(&before);
            E2E_CHECK_MSG(dd.returns_jumped == dd.splits,
                          "depth %d: %llu splits, %llu of them returned by the jump "
                          "(each returns after a landing)",
                          depths[i], (unsigned long long)dd.splits,
                          (unsigned long long)dd.returns_jumped);
            splits += dd.splits;
            jumped += dd.returns_jumped;
        }
    }
    printf(TEST_NAME ": splits %llu, returned by the jump %llu\n", splits, jumped);
    if (cfg.segmented)
        E2E_CHECK_MSG(splits > 0, "segmented mode: the sweep met no split");
    if (cfg.fixed)
        E2E_EQ_LONG(jumped, 0);
    return NULL;
}

int main(void)
{
#ifdef SPLIT_RETURN_YIELD
    gs_handle h = gs_spawn(sweep, NULL);
    E2E_CHECK(h != 0);
    while (gs_done(h) == 0)
        E2E_EQ_LONG(gs_resume(h), 0);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
#else
    sweep(NULL);
#endif
    return e2e_done(TEST_NAME);
}
