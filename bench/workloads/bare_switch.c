/* bare_switch.c - the floor of growstack's own switch (BM_Switch_Bare): two
 * contexts ping-ponging with the runtime's gs_ctx_switch alone, none of the
 * core's bookkeeping (handles, states, resumer, side stack, sys_sp, stats).
 * Built by plain clang-19 and linked with libgrowstack.a, whose hidden
 * gs_ctx_switch and gs_arch_ctx_init (the first context of a coroutine) it uses
 * as the core does. Nothing instrumented runs here: both contexts switch with
 * guard 0, the value of the thread's own stack. */
#include <stdint.h>

#include "gs_arch.h"
#include "workloads/bare_switch.h"

static struct gs_ctx bare_main, bare_co;
static char bare_stack[64 << 10] __attribute__((aligned(64)));

static void bare_pong(void)
{
    for (;;)
        gs_ctx_switch(&bare_co, &bare_main, 0);
}

void bare_switch_init(void)
{
    bare_co.sp = gs_arch_ctx_init(bare_stack + sizeof bare_stack, (void *)bare_pong, 0, 0, 0);
}

void bare_switch_round(void)
{
    gs_ctx_switch(&bare_main, &bare_co, 0);
}
