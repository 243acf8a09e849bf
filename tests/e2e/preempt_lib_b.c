/* preempt_lib_b.c - the other half of libe2e_preempt_*.so (preempt.c). */
#include <stdarg.h>

#include "preempt.h"

int pre_step(int x)
{
    volatile char pad[48];
    pad[x & 31] = (char)x;
    return pad[x & 31] + 1;
}

int pre_vsum(int n, ...)
{
    va_list ap;
    int sum = 0;
    va_start(ap, n);
    for (int i = 0; i < n; ++i)
        sum += va_arg(ap, int);
    va_end(ap);
    return sum;
}
