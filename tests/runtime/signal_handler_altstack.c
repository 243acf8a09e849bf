/* Handlers installed with signal()/sigaction() run through the runtime's
 * dispatcher: on the sigaltstack (even without SA_ONSTACK), with the guard at 0,
 * and the previous action is reported back as the program installed it. The
 * handler's side area (__gs_side while it runs, side.h) is the one in the
 * sigaltstack's mapping, right above the signal stack (signals.c).
 * With argument "yield", the handler calls gs_yield, which must be a clear fatal
 * error (run as a subprocess). */
#include <growstack.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "side.h"

static int failures;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static volatile int hits, on_alt, guard_zero, do_yield, side_beside;

static uintptr_t guard(void)
{
    uintptr_t g;
    __asm__ volatile("movq %%fs:0x70, %0" : "=r"(g));
    return g;
}

static void handler(int sig)
{
    stack_t ss;
    char probe;
    sigaltstack(NULL, &ss);
    on_alt = (ss.ss_flags & SS_ONSTACK) && &probe >= (char *)ss.ss_sp &&
             &probe < (char *)ss.ss_sp + ss.ss_size;
    guard_zero = guard() == 0;
    char *top = (char *)ss.ss_sp + ss.ss_size;
    side_beside = __gs_side.lim == top + GS_SIDE_CHUNK_HDR &&
                  __gs_side.sp == top + GS_SIDE_SIGNAL_SIZE;
    hits += sig == SIGUSR1;
    if (do_yield)
        gs_yield();
}

static void *body(void *arg)
{
    (void)arg;
    uintptr_t before = guard();
    CHECK(before != 0);
    raise(SIGUSR1);
    CHECK(guard() == before); /* restored after the handler */
    return NULL;
}

int main(int argc, char **argv)
{
    do_yield = argc > 1 && !strcmp(argv[1], "yield");
    CHECK(signal(SIGUSR1, handler) == SIG_DFL);
    struct sigaction old;
    CHECK(sigaction(SIGUSR1, NULL, &old) == 0);
    CHECK(old.sa_handler == handler);
    CHECK(!(old.sa_flags & SA_ONSTACK)); /* reported as the program asked */
    gs_handle h = gs_spawn(body, NULL);
    CHECK(gs_join(h, NULL) == 0);
    CHECK(hits == 1);
    CHECK(on_alt);
    CHECK(guard_zero);
    CHECK(side_beside);
    CHECK(signal(SIGUSR1, SIG_DFL) == handler);
    if (failures)
        return 1;
    puts("signal_handler_altstack: ok");
    return 0;
}
