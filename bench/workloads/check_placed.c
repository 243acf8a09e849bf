/* check_placed.c - fib and the tree walk of kernels.c at a chosen place in the code,
 * for the prologue check's cost (BM_CheckPlaced in gs_bench.cc).
 *
 * Why: how fast a recursion this small runs depends on where its code falls
 * within the 64-byte lines the front end fetches. Measured on this project's VM
 * (AMD EPYC, 2026-12-05): the same gscc fib(27) ran -12.5 % to +19.1 % against
 * the flags-only build depending on the offset of the two functions, in one
 * process, and the check moves every instruction after it by 15 bytes, so one
 * placement says as much about luck as about the check. Each build is therefore
 * compiled at four offsets from a 64-byte boundary (CP_PAD = 0, 16, 32 and 48)
 * and the report compares the sums over the four: the check's cost at an
 * average placement.
 *
 * How: a naked pad function of CP_PAD bytes, aligned to 64, sits in the same
 * section right before each kernel (functions keep their 16-byte alignment and
 * the order of the source). gscc puts instrumented functions in growstack_text
 * (protocol.md 2), so its pads are placed there too (CP_SECTION); a pad is never
 * called.
 *
 * Compiled with -DCP_PREFIX=<prefix> -DCP_PAD=<bytes> [-DCP_SECTION="growstack_text"]
 * (bench/CMakeLists.txt: prefixes gs_cpN_ by gscc, flags_cpN_ by clang-19 with
 * gscc's code-generation flags, N the pad).
 */
#include "kernels.h"

#if !defined(CP_PREFIX) || !defined(CP_PAD)
#error "check_placed.c needs -DCP_PREFIX=<prefix> -DCP_PAD=<bytes>"
#endif
#if CP_PAD % 16 != 0 || CP_PAD < 0 || CP_PAD >= 64
#error "CP_PAD is a multiple of 16 below 64 (functions are 16-byte aligned)"
#endif
#ifndef CP_SECTION
#define CP_SECTION ".text"
#endif

#define CP_CAT2(a, b) a##b
#define CP_CAT(a, b) CP_CAT2(a, b)
#define CP(name) CP_CAT(CP_PREFIX, name)
#define CP_STR2(x) #x
#define CP_STR(x) CP_STR2(x)

#define CP_DEFINE_PAD(name)                                                              \
    __attribute__((naked, used, aligned(64), section(CP_SECTION))) void CP(name)(void)   \
    {                                                                                    \
        __asm__(".skip " CP_STR(CP_PAD) ", 0xcc");                                       \
    }

CP_DEFINE_PAD(pad_fib)

__attribute__((noinline)) long CP(fib)(int n)
{
    return n < 2 ? n : CP(fib)(n - 1) + CP(fib)(n - 2);
}

CP_DEFINE_PAD(pad_tree)

__attribute__((noinline)) long CP(tree_sum)(const struct gs_bench_tree *t)
{
    if (!t)
        return 0;
    return t->value + CP(tree_sum)(t->left) + CP(tree_sum)(t->right);
}
