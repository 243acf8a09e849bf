/* variadic_deep.h - shared by variadic_deep.c and variadic_deep_lib.c. */
#ifndef VARIADIC_DEEP_H
#define VARIADIC_DEEP_H

#include <stdarg.h>

#define VD_FRAME 10000

long vd_down(int i, ...);  /* variadic_deep.c */
long lib_down(int i, ...); /* variadic_deep_lib.c */
/* Reports a level's values (variadic_deep.c); takes no addresses, so the
 * levels' frames stay movable. */
void vd_check(int i, long a, long b, long c, double x, double y, long d, long e, long f,
              long g, long h, double z, long last, long d2, int frame_ok);

/* One level, the body of both functions: reads half of the variadic arguments,
 * calls next(i - 1, ...) (which grows or moves the stack), then reads the rest
 * from the same va_list and from a copy made before the call. A macro: the
 * va_list and the 10 KB buffer stay in the variadic function's own frame. */
#define VD_LEVEL(i, first, next)                                                          \
    volatile char buf[VD_FRAME];                                                          \
    const int vd_ix = (int)(i) & 7; /* not constant: the buffer stays whole */             \
    buf[vd_ix] = (char)(i);                                                               \
    buf[VD_FRAME - 1 - vd_ix] = (char)~(i);                                               \
    va_list ap, later;                                                                    \
    va_start(ap, first);                                                                  \
    long a = va_arg(ap, long), b = va_arg(ap, long), c = va_arg(ap, long);                \
    double x = va_arg(ap, double), y = va_arg(ap, double);                                \
    va_copy(later, ap);                                                                   \
    long r = 0;                                                                           \
    if ((i) > 0)                                                                          \
        r = next((i) - 1, 1L, 2L, 3L, 0.5, 1.5, 4L, 5L, 6L, 7L, 8L, 2.5, 3.5, 4.5, 5.5,   \
                 6.5, 7.5, 8.5, (long)(i));                                               \
    long d = va_arg(ap, long), e = va_arg(ap, long), f = va_arg(ap, long),                \
         g = va_arg(ap, long), h = va_arg(ap, long);                                      \
    double z = 0;                                                                         \
    for (int k = 0; k < 7; k++)                                                           \
        z += va_arg(ap, double);                                                          \
    long last = va_arg(ap, long);                                                         \
    long d2 = va_arg(later, long);                                                        \
    va_end(later);                                                                        \
    va_end(ap);                                                                           \
    vd_check((i), a, b, c, x, y, d, e, f, g, h, z, last, d2,                              \
             buf[vd_ix] == (char)(i) && buf[VD_FRAME - 1 - vd_ix] == (char)~(i));         \
    return r + last

#endif
