/* own_getenv - a program that defines its own getenv() gets its settings read
 * all the same: the runtime reads GROWSTACK_* from environ itself (runtime/config.c).
 *
 * bash's configure checks whether a program may replace getenv with one like
 * this (it answers "42" to every name); the runtime called getenv and reached
 * it, so every gscc-built program that did so stopped before main with
 * "growstack: GROWSTACK_MODE='42' is not a mode" (found by configuring Debian's
 * bash 5.2 with gscc, 2026-12-06: bash_cv_getenv_redef came out "no", and the
 * gscc build of bash left out its own getenv). Checked here: the program's
 * getenv is the one its calls reach, the mode and the settings the test's
 * configuration put in the environment are in force, and the stack grows.
 */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <growstack.h>

#include "e2e_stats.h"

static int own_calls;

char *getenv(const char *name)
{
    (void)name;
    own_calls++;
    return "42";
}

/* The environment's value, found without getenv. */
static const char *from_environ(const char *name)
{
    size_t n = strlen(name);
    for (char **e = environ; *e; e++)
        if (!strncmp(*e, name, n) && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

__attribute__((noinline)) static long deep(long n)
{
    volatile char pad[256];
    pad[n % 256] = (char)n;
    return n ? deep(n - 1) + pad[n % 256] : 0;
}

int main(void)
{
    E2E_CHECK(strcmp(getenv("ANYTHING"), "42") == 0);
    E2E_EQ_LONG(own_calls, 1);

    struct e2e_cfg c = e2e_cfg();
    const char *mode = from_environ("GROWSTACK_MODE");
    if (mode)
        E2E_CHECK_MSG(strcmp(gs_mode_name(c.c.mode), mode) == 0, "mode %s, GROWSTACK_MODE=%s",
                      gs_mode_name(c.c.mode), mode);
    const char *force = from_environ("GROWSTACK_FORCE_MOVE");
    E2E_EQ_LONG(c.forced, force && force[0] == '1' && c.contiguous);
    E2E_EQ_LONG(own_calls, 1); /* the runtime never called it */

    long expect = 0;
    for (long i = 1; i <= 3000; i++)
        expect += (char)i;
    E2E_EQ_LONG(deep(3000), expect);
    return e2e_done("own_getenv");
}
