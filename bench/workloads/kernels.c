/* kernels.c - compiled with -DKPREFIX=gs_ by gscc and -DKPREFIX=plain_ by clang-19
 * (see kernels.h). noinline keeps each call a real call in both builds. */
#include "kernels.h"

#include <stdlib.h>

#define KCAT2(a, b) a##b
#define KCAT(a, b) KCAT2(a, b)
#define K(name) KCAT(KPREFIX, name)

__attribute__((noinline)) long K(fib)(int n)
{
    return n < 2 ? n : K(fib)(n - 1) + K(fib)(n - 2);
}

__attribute__((noinline)) long K(tree_sum)(const struct gs_bench_tree *t)
{
    if (!t)
        return 0;
    return t->value + K(tree_sum)(t->left) + K(tree_sum)(t->right);
}

__attribute__((noinline)) long K(call_plain_lib)(long n)
{
    long s = 0;
    for (long i = 0; i < n; i++)
        s = plainlib_add(s, i);
    return s;
}

__attribute__((noinline)) long K(call_other_file)(long n)
{
    long s = 0;
    for (long i = 0; i < n; i++)
        s = K(xfile_add)(s, i);
    return s;
}

__attribute__((noinline)) long K(call_libc)(long n)
{
    long s = 0;
    for (long i = 0; i < n; i++)
        s += labs(s - i) & 7;
    return s;
}
