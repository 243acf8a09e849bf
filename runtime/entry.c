/* entry.c - the C halves of the on-stack entry points (see entry.h). */
#include <stdint.h>

#include "api.h"
#include "coro.h"
#include "entry.h"
#include "fatal.h"
#include "side.h"
#include "stack.h"
#include "thread.h"
#include "trace.h"

void gs_entry_morestack(struct gs_morestack_regs *r)
{
    struct gs_coro *co = gs_tls.cur;
    if (!co)
        gs_fatal("__morestack called outside a coroutine (guard %p); the guard slot "
                 "%%fs:0x70 was changed by someone else",
                 (void *)r->guard);
    if (gs_arch_msr_take_leaf(r))
        gs_stack_grow_leaf(&co->stack, r);
    else
        gs_stack_grow(&co->stack, r);
}

/* The running coroutine's stack; NULL on the system stack (guard 0), where
 * frame addresses say nothing about the coroutine's frames. */
static struct gs_stack *running_stack(void)
{
    struct gs_coro *co = gs_arch_get_guard() ? gs_tls.cur : NULL;
    return co ? &co->stack : NULL;
}

void *gs_entry_dyn_alloc(size_t size, uintptr_t caller_rbp, uintptr_t frame)
{
    struct gs_stack *s = running_stack();
    if (!s)
        gs_fatal("__morestack_allocate_stack_space called outside a coroutine stack");
    return gs_stack_dyn_alloc(s, size, caller_rbp, gs_arch_entry_caller_sp(frame));
}

void *gs_entry_dyn_mark(void *unused, uintptr_t caller_rbp, uintptr_t frame)
{
    (void)unused;
    struct gs_stack *s = running_stack();
    return s ? gs_stack_dyn_mark(s, caller_rbp, gs_arch_entry_caller_sp(frame)) : NULL;
}

void gs_entry_dyn_release(void *mark, uintptr_t caller_rbp, uintptr_t frame)
{
    struct gs_stack *s = running_stack();
    if (s)
        gs_stack_dyn_release(s, mark, caller_rbp, gs_arch_entry_caller_sp(frame));
}

void gs_entry_dyn_frame_exit(void *unused, uintptr_t caller_rbp, uintptr_t frame)
{
    (void)unused;
    struct gs_stack *s = running_stack();
    if (s)
        gs_stack_dyn_frame_exit(s, caller_rbp, gs_arch_entry_caller_sp(frame));
}

struct gs_side_alloc_result gs_entry_side_alloc(size_t size, size_t align, uintptr_t caller_rbp)
{
    (void)caller_rbp;
    gs_side_alloc_check(size, align);
    /* Instrumented code on a thread that never used the runtime (a thread the
     * program created) owns the thread's side stack: register the thread so
     * that it is freed at exit. */
    gs_api_thread();
    struct gs_coro *co = gs_tls.cur;
    return gs_side_alloc(co ? &co->stack.side_owner : gs_side_thread_owner(), size, align);
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

/* Fatal if sp lies on one of other's segments (gs_entry_resync). The report runs
 * on the system stack: gs_entry_resync runs on the (small) stack it landed on,
 * with the guard at 0, and naming functions takes more than the guard slack.
 * The jump came from the system stack (the unwinder, called through the
 * trampoline), so nothing there is live below gs_tls.sys_sp; a nonzero guard
 * makes gs_sys_call switch there (gs_fatal clears it again). */
static void jumped_into(struct gs_coro *co, struct gs_coro *other, uintptr_t sp)
{
    struct gs_seg *g = other ? gs_stack_seg_of(&other->stack, sp) : NULL;
    if (g) {
        struct jump_report j = {co, other};
        gs_arch_set_guard(GS_SEG_GUARD(g));
        gs_sys_call(report_jump, &j);
    }
}

void gs_entry_resync(void *unused, uintptr_t caller_rbp, uintptr_t frame)
{
    (void)unused, (void)caller_rbp;
    struct gs_coro *co = gs_tls.cur;
    if (!co)
        return;
    uintptr_t sp = gs_arch_entry_caller_sp(frame); /* the caller's %rsp after the call */
    gs_trace("resync sp=%p", (void *)sp);
    if (gs_stack_sync_top(&co->stack, sp)) {
        gs_tls.ext_target = NULL;
        gs_arch_set_guard(gs_stack_guard(&co->stack));
        /* Handlers run on the signal stack, never on a coroutine's: a landing
         * here left every handler that ran (a siglongjmp out of one skips the
         * count's decrement in signals.c). */
        gs_tls.in_signal = 0;
        gs_stack_dyn_landed(&co->stack, sp);
        return;
    }
    /* On the stack of another coroutine of this thread: a jump from one
     * coroutine's frames into another's without a switch (a longjmp across
     * coroutines, or pthread_exit/cancellation reaching a cleanup handler pushed
     * in another coroutine). That coroutine cannot run now: its frames would run
     * unchecked, and the unwinder after the handler on its small stack. */
    jumped_into(co, gs_coro_find_by_sp(sp, co), sp);
    if (gs_api_main_coro() != co)
        jumped_into(co, gs_api_main_coro(), sp);
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
