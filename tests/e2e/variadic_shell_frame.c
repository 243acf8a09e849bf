/* variadic_shell_frame - a variadic shell runs without a stack check of its
 * own, below its caller's checked frame, in the guard slack (docs/protocol.md
 * 2.2, arch/x86_64/gs_arch.h): its frame plus the body's return address and the
 * first pushes of __morestack must fit in the 368 bytes the slack leaves to
 * unchecked code. Measured here from the frame chain, for the smallest shell
 * and for one whose call of the body passes the most stack arguments the
 * plugin allows (64 bytes), at every call depth near segment boundaries. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <stdarg.h>

/* arch/x86_64/gs_arch.h: what GS_STACK_GUARD leaves below a checked frame. */
#define UNCHECKED_BUDGET 368
/* The body's return address and __morestack's pushes before it switches. */
#define MORESTACK_ENTRY (8 + 24)

static long worst;

/* Called by the body: frame 1 is the body, frame 2 the shell. The shell's
 * stack, from its CFA down to the body's CFA, is the distance of their frame
 * pointers. */
#pragma clang diagnostic ignored "-Wframe-address" /* every frame has %rbp here */
__attribute__((noinline)) static void measure(void)
{
    long d = (char *)__builtin_frame_address(2) - (char *)__builtin_frame_address(1);
    if (d > worst)
        worst = d;
}

__attribute__((noinline)) static long small(int n, ...)
{
    va_list ap;
    va_start(ap, n);
    long s = 0;
    while (n-- > 0)
        s += va_arg(ap, long);
    va_end(ap);
    measure();
    return s;
}

/* Fixed arguments for every integer register, seven more on the stack, and the
 * va_list pointer: 64 bytes of stack arguments in the shell's call. */
__attribute__((noinline)) static long large(long a, long b, long c, long d, long e, long f,
                                            long g, long h, long i, long j, long k, long l,
                                            long m, ...)
{
    va_list ap;
    va_start(ap, m);
    long s = a + b + c + d + e + f + g + h + i + j + k + l + m + va_arg(ap, long);
    va_end(ap);
    measure();
    return s;
}

static void check(void *arg)
{
    (void)arg;
    E2E_EQ_LONG(small(3, 1L, 2L, 3L), 6);
    E2E_EQ_LONG(large(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14L), 105);
}

int main(void)
{
    e2e_at_depths(check, NULL);
    printf("variadic shell: %ld bytes of stack at most (budget %d with %d for __morestack)\n",
           worst, UNCHECKED_BUDGET, MORESTACK_ENTRY);
    E2E_CHECK(worst >= 224); /* the register save area and the va_list at least */
    E2E_CHECK_MSG(worst + MORESTACK_ENTRY <= UNCHECKED_BUDGET,
                  "a shell uses %ld bytes: over the guard slack", worst);
    return e2e_done("variadic_shell_frame");
}
