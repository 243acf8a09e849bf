/* bare_switch.c - contexts on the runtime's gs_ctx_switch alone.
 *
 * The floor of growstack's own switch (BM_Switch_Bare): two
 * contexts ping-ponging with the runtime's gs_ctx_switch alone, none of the
 * core's bookkeeping (handles, states, resumer, side stack, sys_sp, stats).
 * Built by plain clang-19 and linked with libgrowstack.a, whose hidden
 * gs_ctx_switch and gs_arch_ctx_init (the first context of a coroutine) it uses
 * as the core does. Nothing instrumented runs here: both contexts switch with
 * guard 0, the value of the thread's own stack.
 *
 * The cold deep-recursion floor (BM_DeepRecursion_FloorCold): plain C run once
 * on a freshly mapped stack, entered and left by one switch each way, so that
 * the floor pays what any cold run must (the first touch of every page) and
 * nothing a thread would add (clone, TLS, join). */
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

static struct gs_ctx run_main, run_co;
static uint64_t (*run_fn)(unsigned, uint64_t);
static uint64_t run_result;

static void run_entry(uintptr_t frame, uintptr_t depth)
{
    run_result = run_fn((unsigned)frame, (uint64_t)depth);
    gs_ctx_switch(&run_co, &run_main, 0); /* never resumed: the stack is unmapped */
    __builtin_trap();
}

uint64_t bare_run_on_stack(char *hi, uint64_t (*fn)(unsigned, uint64_t), unsigned frame,
                           uint64_t depth)
{
    run_fn = fn;
    run_co.sp = gs_arch_ctx_init(hi, (void *)run_entry, frame, depth, 0);
    gs_ctx_switch(&run_main, &run_co, 0);
    return run_result;
}
