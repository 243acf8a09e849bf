/* watermark.c - how much of a fixed stack a coroutine uses (see grow.h).
 *
 * A fixed stack is one mapping of GROWSTACK_MAX (segment.c); the kernel commits
 * pages as they are touched, so the mapping's size says nothing about use, and
 * a cached mapping keeps the pages an earlier coroutine touched (mincore would
 * count those too). The guard slot says it exactly, for free: instead of the
 * stack's real end, the guard is set at a *watermark* near the top, so the
 * first prologue check that would go below it calls __morestack. gs_grow then
 * lowers the watermark (by 4 KiB, or an eighth of the depth for deep stacks:
 * O(log) events, each ~100 ns) and resumes the function in place, as if the
 * check had passed; only a frame that does not fit above the real end is an
 * overflow. The stack a coroutine was given is then
 *
 *     given = hi - watermark + GS_STACK_GUARD   (at most the mapping)
 *
 * at most one step above what its frames reached: its max_stack_bytes, and
 * what it adds to stack_bytes while it lives (a fixed mapping's size counts in
 * mapped_bytes). Code without checks (an uninstrumented entry function) is not
 * seen: it counts what the instrumented code it calls reached.
 *
 * co->stack_size holds `given` for a fixed stack; the watermark is derived from
 * it (gs_watermark_guard), so nothing else needs storing.
 */
#include <stdint.h>

#include "config.h"
#include "fatal.h"
#include "grow.h"

#define GS_MARK_STEP ((size_t)4096)

static size_t given_for(const struct gs_seg *s, uintptr_t guard)
{
    size_t g = (uintptr_t)GS_SEG_HI(s) - guard + GS_STACK_GUARD;
    return g < GS_SEG_USABLE(s) ? g : GS_SEG_USABLE(s);
}

uintptr_t gs_watermark_guard(const struct gs_coro *co)
{
    const struct gs_seg *s = co->bottom;
    if (co->stack_size >= GS_SEG_USABLE(s))
        return GS_SEG_GUARD(s);
    return (uintptr_t)GS_SEG_HI(s) - co->stack_size + GS_STACK_GUARD;
}

/* Set the watermark at `guard` (not below the real guard); account for it. */
static uintptr_t set_mark(struct gs_thread *t, struct gs_coro *co, uintptr_t guard)
{
    const struct gs_seg *s = co->bottom;
    if (guard < GS_SEG_GUARD(s))
        guard = GS_SEG_GUARD(s);
    size_t given = given_for(s, guard);
    gs_thread_note_stack((long)given - (long)co->stack_size);
    co->stack_size = given;
    if (given > co->stack_peak)
        co->stack_peak = given;
    return gs_watermark_guard(co);
}

uintptr_t gs_watermark_init(struct gs_thread *t, struct gs_coro *co)
{
    co->stack_size = co->stack_peak = 0;
    return set_mark(t, co, (uintptr_t)GS_SEG_HI(co->bottom) - GS_MARK_STEP);
}

int gs_watermark_lower(struct gs_thread *t, struct gs_coro *co, uintptr_t below)
{
    const struct gs_seg *s = co->bottom;
    if (below <= GS_SEG_GUARD(s)) {
        /* An overflow: the coroutine was given all of the stack (stack_bytes and
         * its peak say so in the statistics printed at the abort). */
        set_mark(t, co, GS_SEG_GUARD(s));
        return 0;
    }
    size_t depth = (uintptr_t)GS_SEG_HI(s) - below;
    size_t step = depth / 8 > GS_MARK_STEP ? depth / 8 : GS_MARK_STEP;
    step = (step + GS_MARK_STEP - 1) & ~(GS_MARK_STEP - 1);
    uintptr_t mark = below > step ? (below - step) & ~(uintptr_t)(GS_MARK_STEP - 1) : 0;
    uintptr_t old = gs_watermark_guard(co);
    if (mark >= old)
        mark = old - GS_MARK_STEP;
    gs_arch_set_guard(set_mark(t, co, mark));
    return 1;
}

void gs_watermark_grow(struct gs_thread *t, struct gs_coro *co, struct gs_morestack_regs *r)
{
    /* Below what the prologue compared; then the body runs in place, as if the
     * check had passed. */
    if (!gs_watermark_lower(t, co, gs_arch_msr_probe(r)))
        gs_overflow(co, r->sp, gs_arch_msr_frame(r) + gs_arch_msr_args(r),
                    "the fixed stack is full");
    gs_arch_msr_resume(r, gs_arch_msr_body(r), gs_arch_msr_ret_slot(r), gs_watermark_guard(co));
}

void gs_watermark_release(struct gs_thread *t, struct gs_coro *co)
{
    gs_thread_note_stack(-(long)co->stack_size);
}
