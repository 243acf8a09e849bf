/* fnptr_table_mixed - indirect calls through tables of function pointers that
 * mix instrumented functions of this file (static and external), functions of
 * a plain clang object (fnptr_table_plain.c, uninstrumented), libc and libm
 * functions (labs, abs, toupper, strlen, strcmp, fmax, pow) and variadic
 * functions (one of this file: never instrumented; one plain), called at many
 * depths (e2e_at_depths).
 *
 * Every indirect call is compiled as "target inside this module's
 * growstack_text? call it : call __gs_ic<N>(target)" (docs/protocol.md 4,
 * item 3): instrumented targets run on the coroutine, the rest on the system
 * stack with N bytes of stack arguments copied (8-argument functions, variadic
 * calls with 10 arguments, doubles in variadic calls with %al set). The tables
 * are volatile so the compiler cannot turn the calls into direct ones. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <ctype.h>
#include <math.h>

#include "fnptr_table.h"

/* ---- instrumented functions of this file ---------------------------------- */

__attribute__((noinline)) static long local_square(long x) { return x * x; }

/* External linkage: also reachable through its __gs_x alias. */
__attribute__((noinline)) long fnptr_local_twice(long x)
{
    volatile char pad[300]; /* the long form of the check */
    pad[x & 255] = 1;
    return 2 * x + pad[x & 255] - 1;
}

/* Recurses x % 64 levels of ~300 bytes: grows the stack behind a pointer
 * call. */
__attribute__((noinline)) static long local_deep(long x)
{
    volatile char pad[256];
    pad[x & 255] = (char)x;
    if (x % 64 == 0)
        return x;
    return local_deep(x - 1) + (pad[x & 255] != (char)x);
}

/* Instrumented code calling plain code that calls back instrumented code (on
 * the system stack). */
__attribute__((noinline)) static long local_apply_back(long x)
{
    long (*volatile fn)(long) = local_square;
    return plain_apply(fn, x); /* fn(x) + 1 */
}

/* Deep recursion on the system stack (1 KiB frames, 100 levels). */
__attribute__((noinline)) static long local_plain_deep(long x)
{
    return plain_deep(100) + x;
}

__attribute__((noinline)) static long local_sum8(long a, long b, long c, long d, long e, long f,
                                                long g, long h)
{
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}

__attribute__((noinline)) static size_t local_strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

__attribute__((noinline)) static int local_negate(int x) { return -x; }

__attribute__((noinline)) static double local_hypot2(double x, double y) { return x * x + y * y; }

/* Variadic definitions are never instrumented: reached through a thunk or,
 * through a pointer, __gs_ic (system stack). */
static long local_vsum(int n, ...)
{
    va_list ap;
    long sum = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        sum += va_arg(ap, long);
    va_end(ap);
    return sum;
}

static double local_vsum_d(int n, ...)
{
    va_list ap;
    double sum = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        sum += va_arg(ap, double);
    va_end(ap);
    return sum;
}

/* ---- the tables ---------------------------------------------------------- */

enum { L_SQUARE, L_TWICE, L_DEEP, L_APPLY, L_PLAIN_DEEP, L_PLAIN_SCALE, L_LABS, NL };
static long (*volatile table_l[NL])(long) = {
    local_square, fnptr_local_twice, local_deep, local_apply_back,
    local_plain_deep, plain_scale, labs,
};

static long expect_l(int k, long x)
{
    switch (k) {
    case L_SQUARE: return x * x;
    case L_TWICE: return 2 * x;
    case L_DEEP: return x - (x % 64 + 64) % 64; /* down to the multiple of 64 */
    case L_APPLY: return x * x + 1;
    case L_PLAIN_DEEP: return 100 + x;
    case L_PLAIN_SCALE: return 3 * x + 1;
    case L_LABS: return x < 0 ? -x : x;
    }
    return 0;
}

static long (*volatile table_sum8[2])(long, long, long, long, long, long, long, long) = {
    local_sum8, plain_sum8};
static size_t (*volatile table_strlen[3])(const char *) = {local_strlen, plain_strlen, strlen};
static int (*volatile table_i[3])(int) = {local_negate, abs, toupper};
static double (*volatile table_d[4])(double, double) = {local_hypot2, plain_hypot2, fmax, pow};
static long (*volatile table_v[2])(int, ...) = {local_vsum, plain_vsum};
static double (*volatile v_double)(int, ...) = local_vsum_d;
static int (*volatile p_strcmp)(const char *, const char *) = strcmp;

static void check(void *arg)
{
    long *round = arg;
    long r = ++*round;
    for (int k = 0; k < NL; k++) {
        long x = (k == L_LABS ? -1 : 1) * (r * 13 + k + 64);
        long got = table_l[k](x);
        E2E_CHECK_MSG(got == expect_l(k, x), "table_l[%d](%ld) = %ld, want %ld", k, x, got,
                      expect_l(k, x));
    }
    long want8 = 0;
    for (int i = 1; i <= 8; i++)
        want8 += i * (r + i);
    for (int k = 0; k < 2; k++)
        E2E_EQ_LONG(table_sum8[k](r + 1, r + 2, r + 3, r + 4, r + 5, r + 6, r + 7, r + 8),
                    want8);
    static const char *const strs[] = {"", "a", "growstack", "segmented and contiguous"};
    for (int k = 0; k < 3; k++)
        for (int s = 0; s < 4; s++)
            E2E_EQ_LONG(table_strlen[k](strs[s]), strlen(strs[s]));
    E2E_EQ_LONG(table_i[0]((int)r), -r);
    E2E_EQ_LONG(table_i[1]((int)-r), r);
    E2E_EQ_LONG(table_i[2]('a' + (int)(r % 26)), 'A' + r % 26);
    double x = (double)(r % 10) + 0.5, y = 2.0;
    E2E_CHECK(table_d[0](x, y) == x * x + 4);
    E2E_CHECK(table_d[1](x, y) == x * x + 4);
    E2E_CHECK(table_d[2](x, y) == (x > y ? x : y));
    E2E_CHECK(table_d[3](x, y) == x * x);
    for (int k = 0; k < 2; k++) {
        E2E_EQ_LONG(table_v[k](0), 0);
        E2E_EQ_LONG(table_v[k](3, r, 2L, 3L), r + 5);
        /* 10 variadic longs: 5 in registers, the rest on the stack. */
        E2E_EQ_LONG(table_v[k](10, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, r), 45 + r);
    }
    /* 10 variadic doubles: 8 in %xmm0-7 (%al = 8), 2 on the stack. */
    E2E_CHECK(v_double(10, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, (double)r) == 40.5 + r);
    E2E_CHECK(p_strcmp("abc", "abd") < 0 && p_strcmp("b", "a") > 0);
}

int main(void)
{
    long round = 0;
    e2e_at_depths(check, &round);
    E2E_EQ_LONG(round, 54);
    return e2e_done("fnptr_table_mixed");
}
