/* shared_lib_so.c - libe2e_shared.so of the shared_lib test (gscc -shared). */
#include <stdio.h>

#include "shared_lib.h"

long shlib_pingpong(int depth, long acc)
{
    if (depth <= 0)
        return acc;
    return exe_pong(depth - 1, acc + 1) + 0;
}

long shlib_sum_callback(int n, long (*cb)(int))
{
    long s = 0;
    for (int i = 1; i <= n; i++)
        s += cb(i);
    return s;
}

int shlib_format(char *buf, size_t len, int v)
{
    return snprintf(buf, len, "lib<%d|%s|%.2f>", v, "str", v / 4.0);
}

/* The library's call to exe_square is a call to __gs_x.exe_square. The library
 * carries a weak thunk of that name; the executable exports its own definition
 * (an alias of exe_square, from the plugin), which must win at load time, so the
 * call is direct. The alias' address tells which one the dynamic linker chose. */
extern void exe_square_alias(void) __asm__("__gs_x.exe_square");

int shlib_exe_binding_is_direct(void)
{
    /* Through volatile: the compiler assumes two declared functions never share
     * an address and would fold the comparison to false. */
    void *volatile alias = (void *)exe_square_alias;
    void *volatile target = (void *)exe_square;
    return alias == target;
}

long shlib_many_args(int a, int b, int c, int d, int e, int f, int g, double h,
                     long i, struct shlib_big big)
{
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + (long)(8 * h) + 9 * i +
           10 * big.v[0] + 11 * big.v[1] + 12 * big.v[2] + 13 * big.v[3] + exe_square(g);
}
