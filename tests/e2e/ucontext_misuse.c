/* ucontext_misuse.c - what growstack's makecontext refuses, each a fatal
 * error naming the call (runtime/ucx.c): `args` passes more arguments than it
 * forwards, `nostack` gives the context no stack. */
#include "e2e.h"

#include <string.h>
#include <ucontext.h>

static ucontext_t c;
static char stack[64 * 1024];

static void fn(void) {}

int main(int argc, char **argv)
{
    E2E_CHECK(argc == 2);
    E2E_CHECK(getcontext(&c) == 0);
    c.uc_link = NULL;
    if (!strcmp(argv[1], "args")) {
        c.uc_stack.ss_sp = stack;
        c.uc_stack.ss_size = sizeof stack;
        makecontext(&c, fn, 17, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17);
    } else {
        c.uc_stack.ss_sp = NULL;
        c.uc_stack.ss_size = 0;
        makecontext(&c, fn, 0);
    }
    E2E_CHECK_MSG(0, "makecontext returned");
    return e2e_done("ucontext_misuse");
}
