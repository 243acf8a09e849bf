/* grow.c - stack creation and growth for the three modes (see grow.h and
 * docs/protocol.md section 5). */
#include <errno.h>
#include <stdarg.h>
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
    if (co->kind == GS_STACK_GROWABLE) {
        co->stack_size = co->stack_peak = GS_SEG_USABLE(s);
        co->guard = gs_stack_guard_for(s);
    } else {
        co->guard = gs_watermark_init(t, co);
    }
    lay_out_entry(co, s);
    return 0;
}

void gs_dyn_free_all(struct gs_coro *co) __attribute__((visibility("hidden")));

static void free_chain(struct gs_thread *t, struct gs_seg *s)
{
    while (s) {
        struct gs_seg *n = s->next;
        gs_valgrind_deregister((unsigned)s->pad);
        gs_seg_free(t, s);
        s = n;
    }
}

void gs_stack_release(struct gs_thread *t, struct gs_coro *co)
{
    gs_dyn_free_all(co);
    if (co->kind == GS_STACK_FIXED)
        gs_watermark_release(t, co);
    if (co->stack_peak > t->stats.max_stack_bytes)
        t->stats.max_stack_bytes = co->stack_peak;
    free_chain(t, co->bottom);
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

/* ---- growth ---------------------------------------------------------------- */

/* GROWSTACK_TRACE=1: one line per event, for debugging the runtime itself. */
static void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void trace(const char *fmt, ...)
{
    if (!gs_cfg.trace)
        return;
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    size_t n = gs_vformat(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    line[n++] = '\n';
    gs_write_stderr(line, n);
}

/* Bytes a new segment needs beyond FRAME + ARGS: the guard slack, the two zero
 * words at the top, the return address pushed by the call, alignment. */
#define GS_SEG_OVERHEAD (GS_STACK_GUARD + 16 + 8 + 32)

static int in_seg(const struct gs_seg *s, uintptr_t a)
{
    return a >= (uintptr_t)s->lo && a < (uintptr_t)GS_SEG_HI(s);
}

/* Make co->top the segment holding sp. A segmented return leaves co->top on the
 * newer segment (it is only brought up to date here, off the fast path), and a
 * longjmp may have left several segments. Returns 0 if sp is on none of them. */
int gs_stack_sync_top(struct gs_coro *co, uintptr_t sp)
{
    size_t dropped = 0;
    for (struct gs_seg *s = co->top; s; s = s->prev) {
        if (in_seg(s, sp)) {
            co->top = s;
            co->stack_size -= dropped;
            return 1;
        }
        dropped += GS_SEG_USABLE(s);
    }
    /* Not below the old top: recount from the bottom. */
    size_t size = 0;
    for (struct gs_seg *s = co->bottom; s; s = s->next) {
        size += GS_SEG_USABLE(s);
        if (in_seg(s, sp)) {
            co->top = s;
            co->stack_size = size;
            return 1;
        }
    }
    return 0;
}

static void note_size(struct gs_coro *co)
{
    if (co->stack_size > co->stack_peak)
        co->stack_peak = co->stack_size;
}

/* The guard to install for segment s: in stress mode (GROWSTACK_FORCE_MOVE) the
 * guard sits at the top so that every prologue check fails and grows. */
uintptr_t gs_stack_guard_for(const struct gs_seg *s)
{
    if (gs_cfg.force_move && gs_cfg.mode == GS_MODE_CONTIGUOUS)
        return (uintptr_t)GS_SEG_HI(s);
    return GS_SEG_GUARD(s);
}

/* Segmented growth (protocol.md 5.2): run the body on the next segment. */
static void grow_segmented(struct gs_thread *t, struct gs_coro *co, struct gs_morestack_regs *r)
{
    size_t frame = r->r10, args = r->r11;
    size_t need = frame + args + GS_SEG_OVERHEAD;
    struct gs_seg *top = co->top, *n = top->next;
    if (n && GS_SEG_USABLE(n) >= need) {
        t->stats.segments_reused++;
        gs_valgrind_fresh(n);
    } else {
        if (n) {
            top->next = NULL;
            free_chain(t, n);
        }
        size_t want = gs_cfg.segment - sizeof(struct gs_seg);
        if (want < need)
            want = need;
        want = gs_seg_usable_for(want);
        if (co->stack_size + want > gs_cfg.max) {
            /* A smaller segment that still fits the frame and the limit? */
            want = gs_seg_usable_fit(gs_cfg.max - co->stack_size);
            if (want < need || co->stack_size + want > gs_cfg.max) {
                co->stack_peak = co->stack_size;
                gs_overflow(co, need, "a new segment would exceed the limit");
            }
        }
        n = gs_seg_alloc(t, want);
        if (!n)
            gs_fatal("out of memory for a %zu-byte stack segment", want);
        n->pad = gs_valgrind_register(n);
        top->next = n;
        t->stats.segments_new++;
    }
    /* Also for a reused segment: the segment below may have moved since. */
    n->prev = top;
    n->base_off = top->base_off + GS_SEG_USABLE(top);
    uintptr_t old_sp = r->sp;
    char *hi = GS_SEG_HI(n) - 16;
    memset(hi, 0, 16);
    char *sp = hi - ((args + 15) & ~(size_t)15);
    memcpy(sp, (char *)old_sp + 16, args);
    trace("growstack-trace: split sp=%p rbp=%p from [%p,%p) to [%p,%p) frame=%zu args=%zu "
          "body=%p",
          (void *)r->sp, (void *)r->rbp, (void *)top->lo, (void *)GS_SEG_HI(top), (void *)n->lo,
          (void *)GS_SEG_HI(n), frame, args, (void *)(*(uint64_t *)old_sp + 1));
    co->top = n;
    co->stack_size += GS_SEG_USABLE(n);
    note_size(co);
    t->stats.splits++;
    r->sp = (uintptr_t)sp;
    r->pc = *(uint64_t *)old_sp + 1;
    r->guard = gs_stack_guard_for(n);
    r->action = GS_GROW_CALL;
}

/* Whether every live frame in segment s may move (protocol.md 5.4). The frames
 * are found through the %rbp chain from (pc, fp): pc is a return address into the
 * innermost live frame, fp that frame's %rbp. Each return address must lie in an
 * instrumented function whose record does not pin it. */
static int frames_movable(const struct gs_seg *s, uintptr_t pc, uintptr_t fp)
{
    uintptr_t last_pc = 0; /* deep recursion repeats one return address */
    for (;;) {
        if (pc == (uintptr_t)gs_ctx_entry_ret || pc == (uintptr_t)__morestack_return)
            return 1; /* the base of the coroutine, or of this segment */
        if (pc != last_pc) {
            struct gs_func_info fi;
            if (!gs_records_find(pc, &fi)) {
                trace("growstack-trace: unknown frame, return address %p", (void *)pc);
                gs_tls.stats.unknown_frames++;
                return 0;
            }
            if (fi.flags & GS_REC_PINNED) {
                trace("growstack-trace: pinned frame of %p (flags %x)", (void *)fi.start,
                      fi.flags);
                return 0;
            }
            last_pc = pc;
        }
        if (!in_seg(s, fp)) {
            trace("growstack-trace: frame chain leaves the segment at %p", (void *)fp);
            return 0;
        }
        pc = ((uint64_t *)fp)[1];
        fp = ((uint64_t *)fp)[0];
    }
}

static void relocate(uint64_t *v, uintptr_t lo, uintptr_t hi, intptr_t delta)
{
    if (*v >= lo && *v < hi)
        *v += (uint64_t)delta;
}

/* Copy the live part [sp, hi) of co's top segment `old` into `n` at the same
 * distance from the top, relocate every word of it that points into `old`, fix
 * the runtime's own references (segment links, dynamic-block tags), and free
 * `old`. Returns delta = new hi - old hi. */
static intptr_t move_top(struct gs_thread *t, struct gs_coro *co, struct gs_seg *old,
                         struct gs_seg *n, uintptr_t sp)
{
    uintptr_t hi = (uintptr_t)GS_SEG_HI(old);
    size_t used = hi - sp;
    intptr_t delta = (intptr_t)((uintptr_t)GS_SEG_HI(n) - hi);
    uint64_t *to = (uint64_t *)(sp + (uintptr_t)delta);
    memcpy(to, (void *)sp, used);
    /* Words of the moved region that point into its live part [sp, hi): saved
     * %rbp values (the frame chain), spilled pointers to locals, saved
     * callee-saved registers. This is the conservative step (protocol.md 5.3,
     * item 3): an integer that equals such an address is changed too. Two things
     * keep that rare: only the live part counts (a pointer below sp points into
     * a dead frame and is left alone), and blocks are aligned to their size
     * class, so delta is a multiple of 2 KiB and the low 11 bits of a word (where
     * a char or short written over an old pointer's low bytes lives) never
     * change. Frames holding x87 long doubles, whose 16-byte slots keep 6 stale
     * bytes next to the exponent, are pinned by the plugin (GS_REC_X87). */
    gs_valgrind_scan(1);
    for (size_t i = 0; i < used / 8; i++)
        relocate(&to[i], sp, hi, delta);
    gs_valgrind_scan(0);
    n->base_off = old->base_off;
    n->prev = old->prev;
    n->next = old->next;
    if (old->prev)
        old->prev->next = n;
    if (old->next)
        old->next->prev = n;
    if (co->bottom == old)
        co->bottom = n;
    co->top = n;
    co->stack_size = co->stack_size - GS_SEG_USABLE(old) + GS_SEG_USABLE(n);
    trace("growstack-trace: move sp=%p [%p,%p) to [%p,%p) used=%zu delta=%ld", (void *)sp,
          (void *)old->lo, (void *)hi, (void *)n->lo, (void *)GS_SEG_HI(n), used, (long)delta);
    gs_valgrind_deregister((unsigned)old->pad);
    old->next = NULL;
    gs_seg_free(t, old);
    t->stats.bytes_copied += used;
    return delta;
}

/* Contiguous growth (protocol.md 5.3): copy [sp, hi) of the top segment to a
 * block twice as large, relocate, resume the body there. */
static void grow_contiguous(struct gs_thread *t, struct gs_coro *co, struct gs_morestack_regs *r)
{
    struct gs_seg *old = co->top;
    size_t frame = r->r10, args = r->r11;
    uintptr_t hi = (uintptr_t)GS_SEG_HI(old);
    size_t used = hi - r->sp;
    size_t need = used + frame + args + GS_SEG_OVERHEAD;
    size_t cur = GS_SEG_USABLE(old);
    size_t want = gs_cfg.force_move ? cur : 2 * cur;
    if (want < need)
        want = need;
    want = gs_seg_usable_for(want); /* what the allocator will really hand out */
    size_t others = co->stack_size - cur;
    if (others + want > gs_cfg.max) {
        /* The largest block that fits the limit, if it still holds the stack. */
        want = gs_seg_usable_fit(gs_cfg.max - others);
        if (want < need || others + want > gs_cfg.max) {
            co->stack_peak = co->stack_size;
            gs_overflow(co, frame + args, "growing the stack would exceed the limit");
        }
    }
    /* F's return address is in its caller, whose frame is r->rbp. */
    if (!frames_movable(old, *(uint64_t *)(r->sp + 8), r->rbp)) {
        t->stats.pins++;
        grow_segmented(t, co, r);
        return;
    }
    struct gs_seg *n = gs_seg_alloc_populated(t, want, !gs_cfg.force_move);
    if (!n)
        gs_fatal("out of memory for a %zu-byte stack", want);
    n->pad = gs_valgrind_register(n);
    uint64_t ret_into_alloc = *(uint64_t *)r->sp;
    uintptr_t live_lo = r->sp;
    intptr_t delta = move_top(t, co, old, n, r->sp);
    uint64_t *regs[] = {&r->rax, &r->rdi, &r->rsi, &r->rdx, &r->rcx, &r->r8, &r->r9,
                        &r->rbx, &r->rbp, &r->r12, &r->r13, &r->r14, &r->r15};
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        relocate(regs[i], live_lo, hi, delta);
    note_size(co);

    t->stats.moves++;
    r->sp = r->sp + (uintptr_t)delta + 8; /* at F's return address, as after a call */
    r->pc = ret_into_alloc + 1;
    r->guard = gs_stack_guard_for(n);
    r->action = GS_GROW_RESUME;
}

/* Shrinking (contiguous mode, at a yield): a suspended single-segment stack that
 * uses under a quarter of its size moves to one half as large, never below the
 * initial size. The suspended context was saved by gs_yield straight from an
 * instrumented frame, so its saved PC and %rbp start the frame walk. */
static void shrink_on_sys(void *arg)
{
    struct gs_coro *co = arg;
    struct gs_thread *t = &gs_tls;
    uintptr_t sp = (uintptr_t)co->ctx.sp;
    if (!gs_stack_sync_top(co, sp) || co->top != co->bottom)
        return;
    struct gs_seg *old = co->top;
    size_t cur = GS_SEG_USABLE(old), used = (uintptr_t)GS_SEG_HI(old) - sp;
    size_t half = (cur + sizeof(struct gs_seg)) / 2 - sizeof(struct gs_seg);
    if (used >= cur / 4 || half + sizeof(struct gs_seg) < co->initial ||
        used + GS_SEG_OVERHEAD > half)
        return;
    uintptr_t pc = *(uint64_t *)(sp + GS_SAVED_PC), fp = *(uint64_t *)(sp + GS_SAVED_RBP);
    if (!frames_movable(old, pc, fp))
        return;
    struct gs_seg *n = gs_seg_alloc(t, half);
    if (!n)
        return; /* shrinking is an optimisation */
    n->pad = gs_valgrind_register(n);
    intptr_t delta = move_top(t, co, old, n, sp);
    co->ctx.sp = (char *)co->ctx.sp + delta;
    co->guard = gs_stack_guard_for(n);
    t->stats.shrinks++;
}

/* Shrink only a stack that has not grown during its last GS_SHRINK_QUIET_RUNS
 * runs: a coroutine that needs a deep stack on every run (and yields with a
 * shallow one) would otherwise shrink and grow again every time. Go shrinks at
 * garbage collections, which are rare for the same reason. */
#define GS_SHRINK_QUIET_RUNS 4

void gs_stack_maybe_shrink(struct gs_coro *co)
{
    if (gs_cfg.mode != GS_MODE_CONTIGUOUS || !gs_cfg.shrink || co->kind != GS_STACK_GROWABLE ||
        co->state != GS_SUSPENDED)
        return;
    if (co->quiet_runs < GS_SHRINK_QUIET_RUNS)
        return;
    /* The common case costs two compares: a stack at its initial size, or one
     * that uses a quarter or more of its top segment (co->top may lag behind
     * after segmented returns; shrink_on_sys rechecks precisely). */
    struct gs_seg *top = co->top;
    size_t size = GS_SEG_USABLE(top);
    if (size + sizeof(struct gs_seg) < 2 * co->initial)
        return;
    uintptr_t sp = (uintptr_t)co->ctx.sp;
    if (sp >= (uintptr_t)top->lo && sp < (uintptr_t)GS_SEG_HI(top) &&
        (uintptr_t)GS_SEG_HI(top) - sp >= size / 4)
        return;
    gs_sys_call(shrink_on_sys, co);
}

void gs_grow(struct gs_morestack_regs *r)
{
    struct gs_thread *t = &gs_tls;
    struct gs_coro *co = t->cur;
    if (!co)
        gs_fatal("__morestack called outside a coroutine (guard %p); the guard slot "
                 "%%fs:0x70 was changed by someone else",
                 (void *)gs_arch_get_guard());
    if (co->kind == GS_STACK_FIXED) {
        gs_watermark_grow(t, co, r);
        return;
    }
    if (!gs_stack_sync_top(co, r->sp))
        gs_fatal("__morestack: %%rsp %p is on none of the coroutine's segments", (void *)r->sp);
    co->quiet_runs = 0;
    if (gs_cfg.mode == GS_MODE_CONTIGUOUS)
        grow_contiguous(t, co, r);
    else
        grow_segmented(t, co, r);
}
