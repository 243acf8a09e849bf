/* fnptr_table_plain.c - compiled by plain clang-19 (see fnptr_table.h): every
 * call into it from instrumented code leaves for the system stack. */
#include <stdarg.h>

#include "fnptr_table.h"

long plain_scale(long x) { return 3 * x + 1; }

long plain_sum8(long a, long b, long c, long d, long e, long f, long g, long h)
{
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}

double plain_hypot2(double x, double y) { return x * x + y * y; }

size_t plain_strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

long plain_vsum(int n, ...)
{
    va_list ap;
    long sum = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        sum += va_arg(ap, long);
    va_end(ap);
    return sum;
}

long plain_apply(long (*fn)(long), long x) { return fn(x) + 1; }

long plain_deep(int depth)
{
    volatile char pad[1024];
    pad[depth & 1023] = (char)depth;
    if (depth <= 0)
        return 0;
    return plain_deep(depth - 1) + 1 + (pad[depth & 1023] != (char)depth);
}
