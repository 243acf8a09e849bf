/* variadic_fmt.c - user variadic functions (not instrumented: reached through
 * thunks) and a va_list forwarder (instrumented) for the variadic test. */
#include <stdio.h>

#include "variadic.h"

int e2e_vlogf(char *buf, size_t len, const char *fmt, va_list ap)
{
    int prefix = snprintf(buf, len, "[log] ");
    return prefix + vsnprintf(buf + prefix, len - (size_t)prefix, fmt, ap);
}

int e2e_logf(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = e2e_vlogf(buf, len, fmt, ap);
    va_end(ap);
    return n;
}

long e2e_vsum(int n, ...)
{
    va_list ap;
    long s = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        s += (i + 1) * va_arg(ap, long);
    va_end(ap);
    return s;
}

double e2e_vavg(int n, ...)
{
    va_list ap;
    double s = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        s += va_arg(ap, double);
    va_end(ap);
    return n ? s / n : 0;
}

long double e2e_vld(int n, ...)
{
    va_list ap;
    long double s = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        s = s * 10 + va_arg(ap, long double);
    va_end(ap);
    return s;
}

long e2e_vstructs(int n, ...)
{
    va_list ap;
    long s = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        struct vbig b = va_arg(ap, struct vbig);
        s += b.a + 10 * b.b + 100 * b.c;
    }
    va_end(ap);
    return s;
}

long e2e_vcall(long (*cb)(long), int n, ...)
{
    va_list ap;
    long s = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        s += cb(va_arg(ap, long)); /* instrumented callback, on the system stack */
    va_end(ap);
    return s;
}
