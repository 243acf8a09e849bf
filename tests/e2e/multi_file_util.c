/* multi_file_util.c - the separately compiled object of the multi_file test. */
#include "multi_file.h"

static int counter; /* same name as a static in multi_file.c: no clash */

static long twice(long x) { return 2 * x; }

long multi_util_sum(int n)
{
    counter++;
    if (n <= 0)
        return 0;
    return n + multi_util_sum(n - 1);
}

long multi_util_ping(int depth, long acc)
{
    if (depth <= 0)
        return acc;
    return multi_lib_pong(depth - 1, acc + twice(1)) + 0 * counter;
}

long multi_util_scale(long x) { return 3 * x + 1; }

long (*multi_util_fnptr)(int n) = multi_util_sum;
