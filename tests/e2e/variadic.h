/* variadic.h - the variadic functions of the variadic test, defined in
 * variadic_fmt.c. The plugin cannot instrument variadic definitions (the
 * backend rejects split-stack varargs), so every call to them runs on the
 * system stack; the va_list helpers they call are instrumented. */
#ifndef VARIADIC_H
#define VARIADIC_H

#include <stdarg.h>
#include <stddef.h>

struct vbig { long a, b, c; };

int e2e_logf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int e2e_vlogf(char *buf, size_t len, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
long e2e_vsum(int n, ...);                       /* n longs               */
double e2e_vavg(int n, ...);                     /* n doubles             */
long double e2e_vld(int n, ...);                 /* n long doubles        */
long e2e_vstructs(int n, ...);                   /* n struct vbig         */
long e2e_vcall(long (*cb)(long), int n, ...);    /* cb(arg) for n longs   */

#endif
