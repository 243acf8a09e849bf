/* shared_lib - a gscc-built executable calling a gscc-built shared library
 * (libe2e_shared.so, from shared_lib_so.c), which calls back into the
 * executable by name and through function pointers, at depth and in deep
 * mutual recursion across the boundary. */
#include "e2e.h"
#include "shared_lib.h"

long exe_square(int x) { return (long)x * x; }

long exe_pong(int depth, long acc)
{
    if (depth <= 0)
        return acc;
    return shlib_pingpong(depth - 1, acc + 2) + 0;
}

static long cube(int x) { return (long)x * x * x; }

/* The library's shlib_pingpong may be preempted (default visibility, -fPIC):
 * the library exports no alias for it, and the executable's calls take the
 * executable's own thunk, which finds it instrumented at run time
 * (protocol.md 4, item 2, and 4.1). */
extern void shlib_pingpong_alias(void) __asm__("__gs_x.shlib_pingpong");

static void check_calls(void *arg)
{
    (void)arg;
    char buf[64];
    E2E_EQ_LONG(shlib_pingpong(10, 0), 5 * 1 + 5 * 2);
    E2E_EQ_LONG(shlib_sum_callback(10, exe_square), 385);
    E2E_EQ_LONG(shlib_sum_callback(4, cube), 100);
    E2E_EQ_LONG(shlib_format(buf, sizeof buf, 7), 15);
    E2E_EQ_STR(buf, "lib<7|str|1.75>");
    struct shlib_big big = {{1, 2, 3, 4}};
    E2E_EQ_LONG(shlib_many_args(1, 1, 1, 1, 1, 1, 3, 0.5, 1, big),
                1 + 2 + 3 + 4 + 5 + 6 + 21 + 4 + 9 + 10 + 22 + 36 + 52 + 9);
}

int main(void)
{
    E2E_CHECK_MSG(shlib_exe_binding_is_direct(),
                  "the library's __gs_x.exe_square did not bind to the executable's alias");
    /* volatile: the compiler would fold a comparison of two functions' addresses */
    void *volatile alias = (void *)shlib_pingpong_alias;
    void *volatile target = (void *)shlib_pingpong;
    E2E_CHECK_MSG(alias != target,
                  "the executable's __gs_x.shlib_pingpong is the library's function, not a "
                  "thunk: a preempting definition would be skipped");
    e2e_at_depths(check_calls, NULL);
    E2E_EQ_LONG(shlib_pingpong(20000, 0), 10000 * 1 + 10000 * 2);
    return e2e_done("shared_lib");
}
