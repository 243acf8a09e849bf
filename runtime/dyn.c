/* dyn.c - VLA / alloca memory for frames whose dynamic allocation does not fit
 * below the guard (docs/protocol.md 5.5).
 *
 * Invariants:
 *  - co->dyn is a LIFO list; a block is tagged with the depth (GS_SEG_DEPTH) of
 *    the frame that allocated it, so blocks of deeper frames come first. Depths,
 *    unlike addresses, are ordered across segments and survive moves.
 *  - Every function here is reached through ON_SYSTEM_STACK (arch): it runs on
 *    the system stack, or on the current stack when that is the system stack
 *    (guard 0) — in which case it does nothing, because system-stack frame
 *    addresses say nothing about the coroutine's frames.
 */
#include <stdint.h>
#include <stdlib.h>

#include "config.h"
#include "coro.h"
#include "fatal.h"
#include "stack.h"
#include "trace.h"

struct gs_dyn {
    struct gs_dyn *next;
    size_t depth;
    size_t size;
    uint64_t pad;
    /* 16-byte aligned data follows */
};
_Static_assert(sizeof(struct gs_dyn) % 16 == 0, "dynamic blocks keep data aligned");

void *gs_dyn_alloc(size_t size, uintptr_t caller_rbp, uintptr_t frame)
    __attribute__((visibility("hidden")));
void *gs_dyn_mark(void *unused, uintptr_t caller_rbp, uintptr_t frame)
    __attribute__((visibility("hidden")));
void gs_dyn_release_to(void *token, uintptr_t caller_rbp, uintptr_t frame)
    __attribute__((visibility("hidden")));
void gs_dyn_frame_exit(void *unused, uintptr_t caller_rbp, uintptr_t frame)
    __attribute__((visibility("hidden")));
void gs_resync(void *unused, uintptr_t caller_rbp, uintptr_t frame)
    __attribute__((visibility("hidden")));
void gs_dyn_free_all(struct gs_coro *co) __attribute__((visibility("hidden")));

static void pop(struct gs_coro *co)
{
    struct gs_dyn *d = co->dyn;
    co->dyn = d->next;
    free(d);
}

/* The running coroutine, with co->top synced to the caller's frame, and that
 * frame's depth; NULL on the system stack. */
static struct gs_coro *on_coroutine(uintptr_t caller_rbp, uintptr_t frame, size_t *depth)
{
    struct gs_coro *co = gs_arch_get_guard() ? gs_tls.cur : NULL;
    if (!co)
        return NULL;
    /* A fixed stack has one segment: co->top is right without a sync. */
    if (co->kind != GS_STACK_FIXED)
        gs_stack_sync_top(co, gs_arch_entry_caller_sp(frame));
    *depth = co->top ? GS_SEG_DEPTH(co->top, caller_rbp) : 0;
    return co;
}

void *gs_dyn_alloc(size_t size, uintptr_t caller_rbp, uintptr_t frame)
{
    size_t depth;
    struct gs_coro *co = on_coroutine(caller_rbp, frame, &depth);
    if (!co)
        gs_fatal("__morestack_allocate_stack_space called outside a coroutine stack");
    /* A fixed stack's guard is its watermark (stack.c): below it there may
     * still be room. The function took the slow path already, so this block
     * comes from the heap anyway; the next one will fit below the new mark. */
    uintptr_t sp = gs_arch_entry_caller_sp(frame);
    if (co->kind == GS_STACK_FIXED && !gs_watermark_lower(&gs_tls, co, sp - size))
        gs_overflow(co, sp, size, "a variable-length array or alloca does not fit");
    if (size > gs_cfg.max)
        gs_overflow(co, sp, size,
                    "a variable-length array or alloca is larger than the limit");
    while (co->dyn && co->dyn->depth > depth)
        pop(co); /* blocks of frames deeper than the caller: they have returned */
    struct gs_dyn *d = malloc(sizeof *d + (size ? size : 1));
    if (!d)
        gs_fatal("out of memory for a %zu-byte variable-length array", size);
    d->depth = depth;
    d->size = size;
    d->next = co->dyn;
    co->dyn = d;
    gs_tls.stats.dyn_allocs++;
    return d + 1;
}

void *gs_dyn_mark(void *unused, uintptr_t caller_rbp, uintptr_t frame)
{
    (void)unused;
    size_t depth;
    struct gs_coro *co = on_coroutine(caller_rbp, frame, &depth);
    return co ? co->dyn : NULL;
}

void gs_dyn_release_to(void *token, uintptr_t caller_rbp, uintptr_t frame)
{
    size_t depth;
    struct gs_coro *co = on_coroutine(caller_rbp, frame, &depth);
    if (!co)
        return;
    while (co->dyn && co->dyn != token && co->dyn->depth >= depth)
        pop(co);
}

void gs_dyn_frame_exit(void *unused, uintptr_t caller_rbp, uintptr_t frame)
{
    (void)unused;
    size_t depth;
    struct gs_coro *co = on_coroutine(caller_rbp, frame, &depth);
    if (!co)
        return;
    while (co->dyn && co->dyn->depth >= depth)
        pop(co);
}

void gs_dyn_free_all(struct gs_coro *co)
{
    while (co->dyn)
        pop(co);
}

struct jump_report {
    struct gs_coro *from, *to;
};

static void report_jump(void *arg)
{
    struct jump_report *j = arg;
    char from[128], to[128];
    gs_coro_describe(j->from, from, sizeof from);
    gs_coro_describe(j->to, to, sizeof to);
    gs_fatal("a longjmp from %s landed on the stack of %s (a pthread cleanup handler "
             "pushed there, run by pthread_exit or a cancellation?); a coroutine's "
             "stack can only be entered by switching to it",
             from, to);
}

/* Fatal if sp lies on one of other's segments (gs_resync). The report runs on
 * the system stack: gs_resync runs on the (small) stack it landed on, with the
 * guard at 0, and naming functions takes more than the guard slack. The jump
 * came from the system stack (the unwinder, called through the trampoline), so
 * nothing there is live below gs_tls.sys_sp; a nonzero guard makes gs_sys_call
 * switch there (gs_fatal clears it again). */
static void jumped_into(struct gs_coro *co, struct gs_coro *other, uintptr_t sp)
{
    for (struct gs_seg *s = other->bottom; s; s = s->next) {
        if (sp >= (uintptr_t)s->lo && sp < (uintptr_t)GS_SEG_HI(s)) {
            struct jump_report j = {co, other};
            gs_arch_set_guard(GS_SEG_GUARD(s));
            gs_sys_call(report_jump, &j);
        }
    }
}

void gs_resync(void *unused, uintptr_t caller_rbp, uintptr_t frame)
{
    (void)unused, (void)caller_rbp;
    struct gs_coro *co = gs_tls.cur;
    if (!co)
        return;
    uintptr_t sp = gs_arch_entry_caller_sp(frame); /* the caller's %rsp after the call */
    gs_trace("resync sp=%p", (void *)sp);
    if (gs_stack_sync_top(co, sp)) {
        gs_tls.ext_target = NULL;
        gs_arch_set_guard(co->kind == GS_STACK_FIXED ? gs_watermark_guard(co)
                                                     : gs_stack_guard_for(co->top));
        return;
    }
    /* On the stack of another coroutine of this thread: a jump from one
     * coroutine's frames into another's without a switch (a longjmp across
     * coroutines, or pthread_exit/cancellation reaching a cleanup handler pushed
     * in another coroutine). That coroutine cannot run now: its frames would run
     * unchecked, and the unwinder after the handler on its small stack. */
    struct gs_thread *t = &gs_tls;
    for (uint32_t i = 0; i < t->nslots; i++)
        if (t->slots[i].co && t->slots[i].co != co)
            jumped_into(co, t->slots[i].co, sp);
    for (struct gs_coro *r = co->resumer; r; r = r->resumer)
        jumped_into(co, r, sp);
    if (t->main_co && t->main_co != co)
        jumped_into(co, t->main_co, sp);
    /* Otherwise not on a coroutine's stack: a setjmp on the system stack
     * (in a callback, guard 0); nothing to resync. With a coroutine's guard
     * in place, the caller runs on a stack the coroutine no longer owns: a
     * longjmp through a jmp_buf the runtime did not know when the stack moved
     * (protocol.md 7.3) landed on the freed copy. */
    if (gs_arch_get_guard())
        gs_fatal("setjmp returned on %p, which is on none of the stacks of %s: a longjmp used "
                 "a jmp_buf saved before the stack moved and not registered with the runtime "
                 "(docs/protocol.md 7.3)",
                 (void *)sp, gs_coro_describe(co, (char[64]){0}, 64));
}
