/* preempt_shim.c - built by plain clang-19 and LD_PRELOADed by the preempt
 * test: uninstrumented definitions of the library's pre_step and pre_local
 * and pre_vsum with 256 KiB frames, more than any coroutine stack of the test has above
 * its guard. An instrumented caller must reach them on the system stack (the
 * trampoline); run on a coroutine stack they would write below its end. */
#include "preempt.h"

#define BIG (256 << 10)

int pre_step(int x)
{
    volatile char big[BIG];
    big[0] = (char)x;
    big[BIG - 1] = (char)x;
    return big[0] + big[BIG - 1] + 500;
}

int pre_vsum(int n, ...)
{
    volatile char big[BIG];
    big[0] = (char)n;
    big[BIG - 1] = (char)n;
    return big[0] + big[BIG - 1] + 896; /* n = 2: 900 */
}

int pre_local(int x)
{
    volatile char big[BIG];
    big[0] = (char)x;
    big[BIG - 1] = (char)x;
    return big[0] + big[BIG - 1] + 700;
}
