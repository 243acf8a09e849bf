/* preempt.c - ELF preemption of a gscc-built shared library's own calls
 * (docs/protocol.md section 4, item 2).
 *
 * libe2e_preempt_<variant>.so exports pre_twice, pre_local, pre_step and the
 * variadic pre_vsum; pre_twice calls pre_local (same file), pre_step and
 * pre_vsum (other file). As with plain clang (-fPIC, calls through the PLT), a
 * definition the dynamic linker puts first must be the one those calls reach:
 *
 *   preempt none  2002003    the library's own (pre_vsum(2, 1, 1) = 2,
 *                            pre_step(1) = 2, pre_local(1) = 3)
 *   preempt shim  900502702  preempt_shim.c, LD_PRELOADed (uninstrumented,
 *                            256 KiB frames: it must run on the system stack)
 *   preempt shim-nsi 900502003  the same for the library built with
 *                            -fno-semantic-interposition: pre_local's call from
 *                            its own file binds directly, as plain clang's does
 *   preempt exe   2041003    built with -DEXE_STEP: this executable's pre_step
 *                            (instrumented, exported with -rdynamic) with a deep
 *                            recursion that must grow the new coroutine's stack
 *                            (in the modes with growth): it runs there, not on
 *                            the system stack
 *
 * Before, the library's instrumented calls bound to their own __gs_x aliases:
 * 2002003 for exe, 2002702 for shim (pre_local through the PLT, on the
 * coroutine stack). Each is checked in a loop on main's coroutine and
 * on a new coroutine, so later calls (the steady state of a thunk) count too. */
#include <growstack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "preempt.h"

#ifdef EXE_STEP
__attribute__((noinline)) static int exe_descend(int depth)
{
    volatile char pad[200];
    pad[depth % 200] = (char)depth;
    int r = depth == 0 ? 0 : exe_descend(depth - 1);
    return r + (pad[depth % 200] == (char)depth);
}

static unsigned long exe_step_growths; /* splits, moves and pins in pre_step */

static unsigned long growths(void)
{
    struct gs_stats st;
    gs_stats_get(&st);
    return (unsigned long)(st.splits + st.moves + st.pins);
}

int pre_step(int x)
{
    /* 100 frames of ~256 bytes: on a new coroutine's stack they make it grow
     * in every mode with growth. On the system stack (the trampoline) the
     * checks pass and nothing grows. */
    unsigned long before = growths();
    int r = exe_descend(99) - 100 + x + 40;
    exe_step_growths += growths() - before;
    return r;
}
#endif

static int expected;
static int failures;

static void check(const char *where)
{
    for (int round = 0; round < 1000; ++round) {
        int got = pre_twice(1);
        if (got != expected) {
            fprintf(stderr, "preempt: %s, round %d: pre_twice(1) = %d, expected %d\n",
                    where, round, got, expected);
            ++failures;
            return;
        }
    }
}

static void *on_coroutine(void *arg)
{
    (void)arg;
    check("a new coroutine");
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: preempt none|shim|shim-nsi|exe\n");
        return 2;
    }
    if (strcmp(argv[1], "none") == 0)
        expected = 2002003;
    else if (strcmp(argv[1], "shim") == 0)
        expected = 900502702;
    else if (strcmp(argv[1], "shim-nsi") == 0)
        expected = 900502003;
    else if (strcmp(argv[1], "exe") == 0)
        expected = 2041003;
    else {
        fprintf(stderr, "preempt: unknown case '%s'\n", argv[1]);
        return 2;
    }
    check("main");
    gs_handle h = gs_spawn(on_coroutine, NULL);
    if (!h || gs_join(h, NULL) != 0) {
        fprintf(stderr, "preempt: gs_spawn or gs_join failed\n");
        return 1;
    }
#ifdef EXE_STEP
    /* The library reached this executable's pre_step, instrumented, on the
     * coroutine stack (__gs_tramp_icall's registry test), not through the
     * trampoline: its recursion grew the new coroutine's stack. */
    struct gs_config cfg;
    gs_config_get(&cfg);
    if (cfg.mode != GS_MODE_FIXED && exe_step_growths == 0) {
        fprintf(stderr, "preempt: the executable's pre_step never grew its stack: "
                        "it ran on the system stack\n");
        ++failures;
    }
#endif
    if (failures)
        return 1;
    printf("preempt %s: pre_twice(1) = %d in both places\n", argv[1], expected);
    return 0;
}
