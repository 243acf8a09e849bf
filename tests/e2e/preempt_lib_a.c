/* preempt_lib_a.c - half of libe2e_preempt_*.so (preempt.c says what it
 * tests). pre_local is called from this file, pre_step from the other one;
 * both are exported and may be preempted. */
#include "preempt.h"

__attribute__((noinline)) int pre_local(int x)
{
    volatile char pad[48];
    pad[x & 31] = (char)x;
    return pad[x & 31] * 3;
}

int pre_twice(int x)
{
    return pre_vsum(2, x, x) * 1000000 + pre_step(x) * 1000 + pre_local(x);
}
