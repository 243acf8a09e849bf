/* plainlib.c - always compiled by plain clang: an uninstrumented library. */
#include "kernels.h"

__attribute__((noinline)) long plainlib_add(long a, long b)
{
    return a + (b & 3);
}
