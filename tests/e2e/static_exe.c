/* static_exe - a program linked with gscc -static: the runtime, the thunks
 * and --wrap=main work without the dynamic linker. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <setjmp.h>

static jmp_buf env;

__attribute__((noinline)) static long recurse(int depth, int jump)
{
    volatile char pad[128];
    const int ix = (int)(depth & 7); /* not constant: the array stays whole */
    pad[ix] = 1;
    if (depth <= 0) {
        if (jump)
            longjmp(env, 5);
        return 0;
    }
    return recurse(depth - 1, jump) + pad[ix];
}

static void check(void *arg)
{
    (void)arg;
    char buf[64];
    snprintf(buf, sizeof buf, "%ld %.3f", recurse(300, 0), 1.0 / 8);
    E2E_EQ_STR(buf, "300 0.125");
}

int main(int argc, char **argv)
{
    (void)argv;
    e2e_at_depths(check, NULL);
    E2E_EQ_LONG(recurse(20000, 0), 20000);
    volatile int jumped = 0;
    if (setjmp(env) == 0)
        recurse(5000, 1);
    else
        jumped = 1;
    E2E_CHECK(jumped);
    E2E_EQ_LONG(argc, 1);
    return e2e_done("static_exe");
}
