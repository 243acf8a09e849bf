/* main.c - running a gscc-built program's main on a coroutine.
 *
 * gscc links with -Wl,--wrap=main, so the C library's start code calls
 * __wrap_main, which runs the program's own main (now __real_main) on a coroutine
 * with a growable stack in the configured mode, and returns its exit status.
 * main's arguments go through gs_ctx_entry's three argument registers: no
 * runtime frame sits between gs_ctx_entry and main on the coroutine stack.
 *
 * Before that, if the program defines gs_main_config (growstack.h), it gets the
 * configuration the runtime would start with and may change it: the one way to
 * configure a gscc-built program from code, since gs_configure inside main comes
 * too late (main is already a coroutine).
 */
#include <errno.h>
#include <stdint.h>

#include "api.h"
#include "config.h"
#include "fatal.h"

int __real_main(int argc, char **argv, char **envp);
int __wrap_main(int argc, char **argv, char **envp);

#pragma weak gs_main_config

static void configure_from_hook(void)
{
    struct gs_config cfg;
    char err[256];
    if (gs_config_pending(&cfg, err, sizeof err))
        gs_die(2, "%s", err);
    gs_main_config(&cfg);
    if (gs_config_check(&cfg, err, sizeof err))
        gs_die(2, "gs_main_config: %s", err);
    if (gs_configure(&cfg) == EBUSY)
        gs_die(2, "gs_main_config: coroutines exist already (spawned by a constructor or by "
                  "the hook itself); the configuration can no longer change");
}

int __wrap_main(int argc, char **argv, char **envp)
{
    if (gs_main_config)
        configure_from_hook();
    /* main returns int: only the low 32 bits of %rax are defined. */
    return (int)gs_api_run_main((void *)__real_main, (uintptr_t)argc, (uintptr_t)argv,
                                (uintptr_t)envp, "main");
}
