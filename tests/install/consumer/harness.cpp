// harness.cpp - C++, not instrumented, linked by clang++ through gscc's linker
// launcher: runs the instrumented kernel on a coroutine.
#include <growstack.h>

#include <cstdio>

#include "kernel.h"

int main()
{
    long depth = 10000;
    // The entry function is C from kernel.c: a C++ function here is not
    // instrumented, and its coroutine would get a fixed stack.
    gs_handle h = gs_spawn(kernel_job, &depth);
    void *res = nullptr;
    if (!h || gs_join(h, &res) != 0 || reinterpret_cast<long>(res) != depth) {
        std::printf("harness: FAILED (result %ld)\n", reinterpret_cast<long>(res));
        return 1;
    }
    return kernel_check("harness");
}
