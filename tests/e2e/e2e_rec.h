/* e2e_rec.h - a recursion that checks its own frame after each call returns,
 * for the tests whose stacks grow, move and shrink under it (shrink_then_grow,
 * shrink_from_huge; shrink_probe_deep_runs uses its values and sums):
 *  - e2e_rec_value(n): the value frame n keeps, not a constant the compiler
 *    could fold;
 *  - e2e_rec(n): n + 1 frames of four longs, each checked after the call below
 *    it returned; the sum of e2e_rec_value(0..n), or a large negative number
 *    when some frame's words changed;
 *  - e2e_rec_sum(n): that sum, without recursion.
 * Include after e2e.h. */
#ifndef E2E_REC_H
#define E2E_REC_H

E2E_STATIC long e2e_rec_value(long n) { return (n * 40503L) % 9973; }

__attribute__((noinline)) E2E_STATIC long e2e_rec(long n)
{
    volatile long v[4] = {e2e_rec_value(n), n, -n, 7};
    if (n == 0)
        return v[0];
    long r = e2e_rec(n - 1);
    if (v[0] != e2e_rec_value(n) || v[1] != n || v[2] != -n || v[3] != 7)
        return -1000000000L;
    return r + v[0];
}

E2E_STATIC long e2e_rec_sum(long n)
{
    long s = 0;
    for (long k = 0; k <= n; k++)
        s += e2e_rec_value(k);
    return s;
}

#endif
