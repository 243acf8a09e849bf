/* grow.c - stack creation and growth for the three modes (see grow.h and
 * docs/protocol.md section 5). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fatal.h"
#include "grow.h"
#include "records.h"

/* Initial values of the x87 control word and MXCSR under the SysV ABI. */
#define GS_FPUCW_INIT 0x037f
#define GS_MXCSR_INIT 0x1f80

/* An uninstrumented entry function cannot grow its stack: it gets a fixed stack
 * of this size (or GROWSTACK_MAX if smaller) and is counted in unchecked_spawns. */
#define GS_UNCHECKED_STACK ((size_t)8 << 20)

static void lay_out_entry(struct gs_coro *co, struct gs_seg *s)
{
    /* Two zero words above the first frame: a NULL return address and rbp for
     * debuggers that walk past gs_ctx_entry. */
    char *top = GS_SEG_HI(s) - 16;
    memset(top, 0, 16);
    char *sp = top - GS_SAVED_SIZE;
    uint32_t mxcsr = GS_MXCSR_INIT;
    uint16_t fpucw = GS_FPUCW_INIT;
    memcpy(sp + GS_SAVED_MXCSR, &mxcsr, 4);
    memcpy(sp + GS_SAVED_FPUCW, &fpucw, 2);
    uint64_t regs[][2] = {
        {GS_SAVED_R12, (uint64_t)co->fn}, {GS_SAVED_R13, co->a0}, {GS_SAVED_R14, co->a1},
        {GS_SAVED_R15, co->a2},           {GS_SAVED_RBX, 0},      {GS_SAVED_RBP, 0},
        {GS_SAVED_PC, (uint64_t)(uintptr_t)gs_ctx_entry},
    };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        memcpy(sp + regs[i][0], &regs[i][1], 8);
    co->ctx.sp = sp;
}

int gs_stack_create(struct gs_thread *t, struct gs_coro *co)
{
    struct gs_seg *s;
    int growable = gs_cfg.mode != GS_MODE_FIXED;
    if (growable && !gs_records_instrumented((uintptr_t)co->fn)) {
        /* Its frames would have no checks: give it what a thread would have. */
        growable = 0;
        t->stats.unchecked_spawns++;
    }
    if (growable) {
        s = gs_seg_alloc(t, co->initial - sizeof(struct gs_seg));
        co->kind = GS_STACK_GROWABLE;
    } else {
        size_t max = gs_cfg.max;
        if (gs_cfg.mode != GS_MODE_FIXED && max > GS_UNCHECKED_STACK)
            max = GS_UNCHECKED_STACK;
        s = gs_seg_alloc_fixed(t, max);
        co->kind = GS_STACK_FIXED;
    }
    if (!s)
        return errno ? errno : ENOMEM;
    s->pad = gs_valgrind_register(s);
    co->top = co->bottom = s;
    co->stack_size = co->stack_peak = GS_SEG_USABLE(s);
    co->guard = GS_SEG_GUARD(s);
    lay_out_entry(co, s);
    return 0;
}

void gs_dyn_free_all(struct gs_coro *co) __attribute__((visibility("hidden")));

void gs_stack_release(struct gs_thread *t, struct gs_coro *co)
{
    gs_dyn_free_all(co);
    if (co->stack_peak > t->stats.max_stack_bytes)
        t->stats.max_stack_bytes = co->stack_peak;
    for (struct gs_seg *s = co->bottom, *n; s; s = n) {
        n = s->next;
        gs_valgrind_deregister((unsigned)s->pad);
        gs_seg_free(t, s);
    }
    co->top = co->bottom = NULL;
    co->stack_size = 0;
}

void gs_overflow(struct gs_coro *co, size_t need, const char *why)
{
    char who[64];
    gs_coro_describe(co, who, sizeof who);
    gs_fatal("stack overflow in %s, mode %s: %s; stack reached %zu bytes, limit %zu "
             "(GROWSTACK_MAX), a frame needed %zu more",
             who, co && co->kind == GS_STACK_FIXED && gs_cfg.mode != GS_MODE_FIXED
                      ? "fixed (uninstrumented entry)"
                      : gs_mode_name(gs_cfg.mode),
             why, co ? co->stack_peak : 0, gs_cfg.max, need);
}

void gs_grow(struct gs_morestack_regs *r)
{
    struct gs_coro *co = gs_tls.cur;
    if (!co)
        gs_fatal("__morestack called outside a coroutine (guard %p); the guard slot "
                 "%%fs:0x70 was changed by someone else",
                 (void *)gs_arch_get_guard());
    size_t need = r->r10 + r->r11;
    if (co->kind == GS_STACK_FIXED)
        gs_overflow(co, need, "the fixed stack is full");
    gs_fatal("GROWSTACK_MODE=%s growth is not implemented yet", gs_mode_name(gs_cfg.mode));
}

