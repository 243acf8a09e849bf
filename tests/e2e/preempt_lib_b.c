/* preempt_lib_b.c - the other half of libe2e_preempt_*.so (preempt.c). */
#include "preempt.h"

int pre_step(int x)
{
    volatile char pad[48];
    pad[x & 31] = (char)x;
    return pad[x & 31] + 1;
}
