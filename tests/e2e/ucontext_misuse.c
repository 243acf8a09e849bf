/* ucontext_misuse.c - what growstack's ucontext functions refuse, each a
 * fatal error naming the call (runtime/ucx.c): `args` passes more arguments
 * than makecontext forwards, `nostack` gives the context no stack, `handler`
 * enters swapcontext from a signal handler that interrupted makecontext on the
 * same thread (inside the table's lock: a deadlock without the check). The
 * handler is made to strike there deterministically: the runtime frees a
 * record's side stack chunk inside the lock when makecontext replaces a record
 * whose context had side frames, through the C library's __libc_free
 * (runtime/mem.c, never the program's free); ucontext_misuse_free.c, plain
 * code linked in, stands in front of it and raises the signal there. */
#include "e2e.h"

#include <signal.h>
#include <string.h>
#include <ucontext.h>

static ucontext_t c;
static char stack[64 * 1024];

static void fn(void) {}

static ucontext_t home, used;
static char stack2[64 * 1024];
static int *volatile sink;

extern volatile int ucontext_misuse_armed; /* ucontext_misuse_free.c */

static void handler(int sig)
{
    (void)sig;
    swapcontext(&home, &used); /* fatal: makecontext holds the lock */
}

static void with_side_frame(void)
{
    int mine[8] = {1, 2, 3};
    sink = mine; /* escapes: a side frame on the context's own side stack */
    swapcontext(&used, &home);
}

int main(int argc, char **argv)
{
    E2E_CHECK(argc == 2);
    E2E_CHECK(getcontext(&c) == 0);
    c.uc_link = NULL;
    if (!strcmp(argv[1], "handler")) {
        E2E_CHECK(signal(SIGUSR1, handler) != SIG_ERR);
        E2E_CHECK(getcontext(&used) == 0);
        used.uc_stack.ss_sp = stack2;
        used.uc_stack.ss_size = sizeof stack2;
        used.uc_link = NULL;
        makecontext(&used, with_side_frame, 0);
        E2E_CHECK(swapcontext(&home, &used) == 0); /* it allocates a side chunk */
        c.uc_stack.ss_sp = stack2; /* the same stack: its record is replaced */
        c.uc_stack.ss_size = sizeof stack2;
        ucontext_misuse_armed = 1;
        makecontext(&c, fn, 0);
    } else if (!strcmp(argv[1], "args")) {
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
