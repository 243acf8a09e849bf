/* variadic - user-defined variadic functions, in another file and in this one,
 * called at many depths with more arguments than registers (ints, doubles,
 * long doubles, structs), forwarding a va_list to vsnprintf, and calling back
 * into instrumented code. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include "variadic.h"

/* A variadic definition in this file: called through the plugin's private
 * thunk (docs/protocol.md 4, item 2). */
static int local_join(char *buf, size_t len, int n, ...)
{
    va_list ap;
    size_t off = 0;
    va_start(ap, n);
    for (int i = 0; i < n && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, i ? ",%s" : "%s", va_arg(ap, const char *));
    va_end(ap);
    return (int)off;
}

/* Another variadic of this file, handing its va_list to e2e_vlogf (an
 * instrumented function in variadic_fmt.c), which hands it to vsnprintf. */
static int forward(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = e2e_vlogf(buf, len, fmt, ap);
    va_end(ap);
    return n;
}

static long triple(long x) { return 3 * x; }

static void check(void *arg)
{
    (void)arg;
    char buf[256];
    int n = e2e_logf(buf, sizeof buf, "%d %d %d %d %d %d %d %d %s %.2f %.2f %.2f %.2f %.2f "
                                      "%.2f %.2f %.2f %.2f %.2f %Lg %c",
                     1, 2, 3, 4, 5, 6, 7, 8, "eight", 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5,
                     7.5, 8.5, 9.5, 1e300L * 10, 'z');
    E2E_EQ_STR(buf, "[log] 1 2 3 4 5 6 7 8 eight 0.50 1.50 2.50 3.50 4.50 5.50 6.50 7.50 "
                    "8.50 9.50 1e+301 z");
    E2E_EQ_LONG(n, (long)strlen(buf));
    n = forward(buf, sizeof buf, "%s-%05d-%x-%lld", "fwd", 42, 0xbeef, -1LL);
    E2E_EQ_STR(buf, "[log] fwd-00042-beef--1");
    E2E_EQ_LONG(e2e_vsum(10, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), 385);
    E2E_CHECK(e2e_vavg(12, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0) ==
              6.5);
    E2E_CHECK(e2e_vld(4, 1.0L, 2.0L, 3.0L, 4.0L) == 1234.0L);
    struct vbig a = {1, 2, 3}, b = {4, 5, 6};
    E2E_EQ_LONG(e2e_vstructs(3, a, b, a), 321 + 654 + 321);
    E2E_EQ_LONG(e2e_vcall(triple, 8, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), 108);
    E2E_EQ_LONG(local_join(buf, sizeof buf, 3, "a", "bc", "def"), 8);
    E2E_EQ_STR(buf, "a,bc,def");
    /* libc's own variadics */
    snprintf(buf, sizeof buf, "%d/%ld/%s/%g/%Lg", -1, 1L << 40, "x", 0.25, 0.125L);
    E2E_EQ_STR(buf, "-1/1099511627776/x/0.25/0.125");
}

int main(void)
{
    e2e_at_depths(check, NULL);
    return e2e_done("variadic");
}
