/* wrapped.c - main runs on a coroutine (WRAP_MAIN, or gscc). */
#include <growstack.h>
#include <stdio.h>

#include "kernel.h"

int main(void)
{
    if (!gs_in_coroutine()) {
        puts("wrapped: FAILED (main is not on a coroutine)");
        return 1;
    }
    if (kernel_deep(10000) != 10000) {
        puts("wrapped: FAILED (recursion)");
        return 1;
    }
    return kernel_check("wrapped");
}
