/* main.c - running a gscc-built program's main on a coroutine.
 *
 * gscc links with -Wl,--wrap=main, so the C library's start code calls
 * __wrap_main, which runs the program's own main (now __real_main) on a coroutine
 * with a growable stack in the configured mode, and returns its exit status.
 * main's arguments go through gs_ctx_entry's three argument registers: no
 * runtime frame sits between gs_ctx_entry and main on the coroutine stack.
 */
#include <stdint.h>

#include "config.h"
#include "coro.h"
#include "fatal.h"
#include "scheduler.h"

int __real_main(int argc, char **argv, char **envp);
int __wrap_main(int argc, char **argv, char **envp);

int __wrap_main(int argc, char **argv, char **envp)
{
    struct gs_thread *t = gs_thread_self(); /* reads and checks the environment */
    struct gs_spawn_attr attr = {.name = "main", .initial = 0};
    struct gs_coro *co = gs_coro_create(t, (void *)__real_main, (uintptr_t)argc,
                                        (uintptr_t)argv, (uintptr_t)envp, GS_CORO_ENTRY3,
                                        &attr);
    if (!co)
        gs_die(2, "cannot create the main coroutine (out of memory for a stack of %zu bytes)",
               gs_cfg.mode == GS_MODE_FIXED ? gs_cfg.max : gs_cfg.initial);
    gs_sched_ready(t, co);
    gs_handle h = co->handle;
    void *result = 0;
    int rc = gs_join(h, &result);
    if (rc)
        gs_fatal("main coroutine could not be joined (error %d): every coroutine is blocked",
                 rc);
    /* main returns int: only the low 32 bits of %rax are defined. */
    return (int)(uintptr_t)result;
}
