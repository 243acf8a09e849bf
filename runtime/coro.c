/* coro.c - the coroutine core and the public coroutine API (see coro.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "coro.h"
#include "fatal.h"
#include "scheduler.h"
#include "symbols.h"

void gs_yield_forbidden(const void *caller_pc) __attribute__((noreturn, visibility("hidden")));

/* ---- handles --------------------------------------------------------------- */

/* A handle is | thread tag (16) | generation (24) | slot (24) |. The tag names the
 * owning thread (gs_thread.tag, unique among live threads), so a handle used on
 * another thread is recognised (EXDEV) instead of being looked up in the wrong
 * table, where its slot and generation could name a coroutine of that thread.
 * A slot's generation changes at every reuse, and a new slot's first generation
 * comes from a process-wide counter: a thread that inherits the tag of an exited
 * one does not hand out that thread's old handles again. */
#define GS_HANDLE_SLOT_BITS 24
#define GS_HANDLE_GEN_BITS 24
#define GS_HANDLE_FIELD_MASK ((1u << 24) - 1)
#define GS_HANDLE_SLOT(h) ((uint32_t)(h) & GS_HANDLE_FIELD_MASK)
#define GS_HANDLE_GEN(h) ((uint32_t)((h) >> GS_HANDLE_SLOT_BITS) & GS_HANDLE_FIELD_MASK)
#define GS_HANDLE_TAG(h) ((uint32_t)((h) >> (GS_HANDLE_SLOT_BITS + GS_HANDLE_GEN_BITS)))
#define GS_NO_SLOT UINT32_MAX
#define GS_MAX_SLOTS (1u << GS_HANDLE_SLOT_BITS)

static uint32_t next_gen(uint32_t gen)
{
    gen = (gen + 1) & GS_HANDLE_FIELD_MASK;
    return gen ? gen : 1;
}

static int slot_alloc(struct gs_thread *t, struct gs_coro *co)
{
    static uint32_t gen_seed;
    uint32_t i;
    if (t->free_slot != GS_NO_SLOT) {
        i = t->free_slot;
        gs_assert(i < t->nslots && t->slots[i].co == NULL);
        t->free_slot = t->slots[i].next_free;
    } else {
        if (t->nslots == GS_MAX_SLOTS)
            return -1;
        if (t->nslots == t->cap_slots) {
            uint32_t cap = t->cap_slots ? t->cap_slots * 2 : 256;
            struct gs_slot *s = realloc(t->slots, cap * sizeof *s);
            if (!s)
                return -1;
            t->slots = s;
            t->cap_slots = cap;
        }
        i = t->nslots++;
        t->slots[i].gen = __atomic_fetch_add(&gen_seed, 1, __ATOMIC_RELAXED);
    }
    t->slots[i].co = co;
    t->slots[i].gen = next_gen(t->slots[i].gen);
    co->handle = ((uint64_t)t->tag << (GS_HANDLE_SLOT_BITS + GS_HANDLE_GEN_BITS)) |
                 ((uint64_t)t->slots[i].gen << GS_HANDLE_SLOT_BITS) | i;
    return 0;
}

static void slot_free(struct gs_thread *t, struct gs_coro *co)
{
    if (!co->handle)
        return;
    uint32_t i = GS_HANDLE_SLOT(co->handle);
    t->slots[i].co = NULL;
    t->slots[i].next_free = t->free_slot;
    t->free_slot = i;
    co->handle = 0;
}

inline __attribute__((always_inline)) struct gs_coro *gs_coro_lookup(struct gs_thread *t,
                                                                     gs_handle h)
{
    uint32_t i = GS_HANDLE_SLOT(h);
    if (!h || i >= t->nslots || GS_HANDLE_TAG(h) != t->tag)
        return NULL;
    struct gs_slot *s = &t->slots[i];
    if (!s->co || s->gen != GS_HANDLE_GEN(h))
        return NULL;
    return s->co;
}

/* Why gs_coro_lookup(t, h) failed: a handle of another live thread (EXDEV), or
 * a stale or unknown one (ESRCH). */
static int lookup_error(struct gs_thread *t, gs_handle h)
{
    uint32_t tag = GS_HANDLE_TAG(h);
    return tag != t->tag && gs_thread_tag_live(tag) ? EXDEV : ESRCH;
}

/* ---- life cycle ------------------------------------------------------------ */

struct gs_coro *gs_coro_create(struct gs_thread *t, void *fn, uintptr_t a0, uintptr_t a1,
                               uintptr_t a2, unsigned flags, const struct gs_spawn_attr *attr)
{
    struct gs_coro *co = calloc(1, sizeof *co);
    if (!co) {
        errno = ENOMEM;
        return NULL;
    }
    co->fn = fn;
    co->a0 = a0;
    co->a1 = a1;
    co->a2 = a2;
    co->flags = flags;
    co->state = GS_READY;
    if (attr && attr->name) {
        strncpy(co->name, attr->name, sizeof co->name - 1);
    }
    if (slot_alloc(t, co)) {
        free(co);
        errno = ENOMEM;
        return NULL;
    }
    int rc = gs_stack_create(&co->stack, attr ? attr->initial : 0, fn);
    if (rc) {
        slot_free(t, co);
        free(co);
        errno = rc;
        return NULL;
    }
    co->ctx.sp = gs_arch_ctx_init(GS_SEG_HI(co->stack.bottom), fn, a0, a1, a2);
    t->stats.spawned++;
    t->nalive++;
    return co;
}

/* free() and munmap() may need more stack than a coroutine's guard slack: the
 * work runs through gs_sys_call (direct when already on the system stack). */
static void destroy_on_sys(void *arg)
{
    free(arg);
}

void gs_coro_destroy(struct gs_thread *t, struct gs_coro *co)
{
    gs_assert(co->state == GS_DONE);
    gs_coro_reap(t); /* its stack, if it finished since the last reap */
    slot_free(t, co);
    gs_sys_call(destroy_on_sys, co);
}

/* Finished coroutines wait on t->zombies (linked through qnext) until something
 * runs on the system stack: their stacks cannot be freed while they are still
 * being left. */
static void reap_on_sys(void *arg)
{
    struct gs_thread *t = arg;
    while (t->zombies) {
        struct gs_coro *co = t->zombies;
        t->zombies = co->qnext;
        co->qnext = NULL;
        gs_stack_release(&co->stack);
        if (co->flags & GS_CORO_DETACHED) {
            slot_free(t, co);
            free(co);
        }
    }
}

void gs_coro_reap(struct gs_thread *t)
{
    if (t->zombies)
        gs_sys_call(reap_on_sys, t);
}

/* The two halves of a switch's bookkeeping. enter() runs on the resumer's side
 * before switching in; leave() runs on the coroutine's side before switching back,
 * so that the resumer continues with nothing left to do: gs_resume can tail-call
 * the switch and the coroutine "returns" straight to gs_resume's caller. That keeps
 * the return-stack buffer in step (a ret after the switch would be mispredicted,
 * one per frame; measured ~20 ns per round trip before this split). */
static inline __attribute__((always_inline)) void enter(struct gs_thread *t, struct gs_coro *co,
                                                        uintptr_t frame)
{
    struct gs_coro *me = t->cur;
    uintptr_t guard = gs_arch_get_guard();
    co->resumer = me;
    co->back = me ? &me->ctx : &co->back_ctx;
    co->back_guard = guard;
    co->saved_sys_sp = t->sys_sp;
    co->saved_ext = t->ext_target;
    if (guard == 0) {
        /* Leaving the system stack: everything below this frame (minus what the
         * switch itself pushes) is free for trampolines and __morestack. */
        t->sys_sp = (char *)((frame - 1024) & ~(uintptr_t)15);
    }
    t->ext_target = NULL;
    gs_side_switch(me ? &me->stack.side : gs_side_thread_state(), &co->stack.side);
    if (me)
        me->state = GS_RESUMING;
    co->state = GS_RUNNING;
    co->stack.quiet_runs++;
    t->cur = co;
    t->stats.switches += 2; /* there and back */
}

static inline __attribute__((always_inline)) void leave(struct gs_thread *t, struct gs_coro *co,
                                                        enum gs_state state)
{
    struct gs_coro *r = co->resumer;
    co->state = state;
    co->stack.guard = gs_arch_get_guard();
    gs_side_switch(&co->stack.side, r ? &r->stack.side : gs_side_thread_state());
    t->cur = r;
    if (r)
        r->state = GS_RUNNING;
    t->sys_sp = co->saved_sys_sp;
    t->ext_target = co->saved_ext;
}

enum gs_state gs_coro_resume(struct gs_thread *t, struct gs_coro *co)
{
    if (co->state == GS_SUSPENDED)
        gs_stack_maybe_shrink(&co->stack, &co->ctx.sp);
    enter(t, co, (uintptr_t)__builtin_frame_address(0));
    gs_ctx_switch(co->back, &co->ctx, co->stack.guard);
    enum gs_state st = co->state;
    gs_coro_reap(t);
    if (st == GS_SUSPENDED)
        gs_stack_maybe_shrink(&co->stack, &co->ctx.sp);
    return st;
}

void gs_coro_suspend(struct gs_thread *t, enum gs_state state)
{
    struct gs_coro *co = t->cur;
    leave(t, co, state);
    gs_ctx_switch(&co->ctx, co->back, co->back_guard);
}

void gs_coro_finish(void *result)
{
    struct gs_thread *t = &gs_tls;
    struct gs_coro *co = t->cur;
    co->result = result;
    t->stats.finished++;
    t->nalive--;
    co->state = GS_DONE;
    gs_scheduler_on_done(co); /* off the run queue, joiner woken */
    co->qnext = t->zombies;
    t->zombies = co;
    leave(t, co, GS_DONE);
    gs_ctx_switch(&co->ctx, co->back, co->back_guard);
    gs_fatal("a finished coroutine was resumed");
}

/* A coroutine that can never run again because the thread left it without a
 * switch (see gs_coro_abandon): finish it as if its function had returned
 * NULL, and let the reaper free it. */
static void abandon_one(struct gs_thread *t, struct gs_coro *co)
{
    if (co->state == GS_DONE)
        return;
    co->result = NULL;
    t->stats.finished++;
    t->nalive--;
    co->state = GS_DONE;
    gs_scheduler_on_done(co);
    co->flags |= GS_CORO_DETACHED;
    co->qnext = t->zombies;
    t->zombies = co;
}

void gs_coro_abandon(struct gs_thread *t)
{
    struct gs_coro *co = t->cur;
    t->cur = NULL;
    t->ext_target = NULL;
    gs_arch_set_guard(0);
    /* Back to the thread's own side stack, as leave() would have done: its state
     * was saved by the enter() that left the thread's own code. The side chunks
     * of the coroutines ended here go with their stacks (gs_stack_release, in
     * the reaper). */
    if (co)
        gs_side_back_to_thread();
    while (co) {
        struct gs_coro *r = co->resumer;
        abandon_one(t, co);
        co = r;
    }
    if (t->main_co) {
        abandon_one(t, t->main_co);
        t->main_co = NULL;
    }
    gs_coro_reap(t);
}

/* gs_yield's C half (arch/x86_64/switch_*.S): the checks and leave(); the
 * assembly then switches from its caller's frame. */
struct gs_coro *gs_yield_prepare(const void *caller_pc)
{
    struct gs_thread *t = &gs_tls;
    struct gs_coro *co = t->cur;
    if (!co)
        return NULL;
    if (t->ext_target)
        gs_yield_forbidden(caller_pc);
    leave(t, co, GS_SUSPENDED);
    return co;
}

struct gs_coro *gs_coro_find_by_sp(uintptr_t sp, struct gs_coro *except)
{
    struct gs_thread *t = &gs_tls;
    for (uint32_t i = 0; i < t->nslots; i++) {
        struct gs_coro *co = t->slots[i].co;
        if (co && co != except && gs_stack_seg_of(&co->stack, sp))
            return co;
    }
    for (struct gs_coro *r = except ? except->resumer : NULL; r; r = r->resumer)
        if (gs_stack_seg_of(&r->stack, sp))
            return r;
    return NULL;
}

const char *gs_coro_describe(struct gs_coro *co, char *buf, size_t len)
{
    if (!co) {
        gs_format(buf, len, "the thread's own stack");
        return buf;
    }
    uint32_t slot = co->handle ? GS_HANDLE_SLOT(co->handle) : 0;
    if (co->name[0]) {
        gs_format(buf, len, "coroutine %u (%s)", slot, co->name);
    } else {
        char fn[96];
        gs_symbols_name(co->fn, fn, sizeof fn); /* messages only: it maps the binary */
        gs_format(buf, len, "coroutine %u (%s)", slot, fn);
    }
    return buf;
}

/* ---- public API ------------------------------------------------------------ */

gs_handle gs_spawn_with(void *(*fn)(void *), void *arg, const struct gs_spawn_attr *attr)
{
    if (!fn) {
        errno = EINVAL;
        return 0;
    }
    struct gs_thread *t = gs_thread_self();
    gs_coro_reap(t);
    struct gs_coro *co = gs_coro_create(t, (void *)fn, (uintptr_t)arg, 0, 0, 0, attr);
    if (!co)
        return 0;
    gs_scheduler_ready(co);
    return co->handle;
}

gs_handle gs_spawn(void *(*fn)(void *), void *arg)
{
    return gs_spawn_with(fn, arg, NULL);
}

/* Misuse on the system stack: name the function that called, and the external
 * function (or signal handler) inside which it runs. Runs on the system stack;
 * not inlined, so that its buffers are not in the frame of gs_join, which runs
 * in the guard slack (tests/runtime/leaf_stack_use). */
__attribute__((noinline, cold, noreturn)) static void
system_stack_misuse(struct gs_thread *t, const char *what, const char *verb,
                    const void *caller_pc)
{
    char caller[128], inside[128], who[128];
    gs_symbols_name(caller_pc, caller, sizeof caller);
    gs_symbols_name(t->ext_target, inside, sizeof inside);
    gs_coro_describe(t->cur, who, sizeof who);
    gs_fatal("%s called by %s on the system stack of thread %u, inside %s (a callback from "
             "uninstrumented code called by %s, or a signal handler); a coroutine can only %s "
             "on its own stack",
             what, caller, t->index, inside, who, verb);
}

static inline void forbid_on_system_stack(struct gs_thread *t, const char *what,
                                          const char *verb, const void *caller_pc)
{
    if (t->ext_target)
        system_stack_misuse(t, what, verb, caller_pc);
}

/* gs_yield is in assembly (arch/x86_64/switch_*.S): it switches straight from
 * its caller's frame, so a suspended coroutine's stack holds only instrumented
 * frames and can be moved (shrink). It calls this when misused. */
void gs_yield_forbidden(const void *caller_pc)
{
    forbid_on_system_stack(&gs_tls, "gs_yield", "yield", caller_pc);
    gs_fatal("gs_yield: unreachable");
}

int gs_resume(gs_handle h)
{
    struct gs_thread *t = &gs_tls;
    if (__builtin_expect(!t->initialized, 0))
        t = gs_thread_self();
    struct gs_coro *co = gs_coro_lookup(t, h);
    if (!co)
        return lookup_error(t, h);
    switch (co->state) {
    case GS_READY:
    case GS_SUSPENDED:
        break;
    case GS_DONE:
        return EINVAL;
    default:
        return EBUSY;
    }
    if (__builtin_expect(t->zombies != NULL, 0))
        gs_coro_reap(t);
    if (gs_cfg.mode == GS_MODE_CONTIGUOUS && co->state == GS_SUSPENDED)
        gs_stack_maybe_shrink(&co->stack, &co->ctx.sp);
    enter(t, co, (uintptr_t)__builtin_frame_address(0));
    /* A tail call: when co yields, the switch returns 0 to our caller. */
    return gs_ctx_resume(co->back, &co->ctx, co->stack.guard);
}

int gs_join(gs_handle h, void **result)
{
    struct gs_thread *t = gs_thread_self();
    struct gs_coro *co = gs_coro_lookup(t, h);
    if (!co)
        return lookup_error(t, h);
    if (co == t->cur)
        return EDEADLK;
    if (co->joiner)
        return EINVAL;
    if (co->state != GS_DONE) {
        if (t->cur) {
            forbid_on_system_stack(t, "gs_join", "block", __builtin_return_address(0));
            co->joiner = t->cur;
            gs_coro_suspend(t, GS_BLOCKED);
        } else {
            while (co->state != GS_DONE) {
                if (!gs_scheduler_run_one())
                    return EDEADLK; /* nothing can run: the target waits forever */
            }
        }
    }
    if (result)
        *result = co->result;
    gs_coro_destroy(t, co);
    return 0;
}

int gs_detach(gs_handle h)
{
    struct gs_thread *t = gs_thread_self();
    struct gs_coro *co = gs_coro_lookup(t, h);
    if (!co)
        return lookup_error(t, h);
    if (co->joiner)
        return EINVAL;
    if (co->state == GS_DONE) {
        gs_coro_destroy(t, co);
        return 0;
    }
    co->flags |= GS_CORO_DETACHED;
    slot_free(t, co);
    return 0;
}

gs_handle gs_self(void)
{
    struct gs_coro *co = gs_tls.cur;
    return co ? co->handle : 0;
}

int gs_in_coroutine(void)
{
    return gs_tls.cur != NULL;
}

int gs_done(gs_handle h)
{
    struct gs_thread *t = gs_thread_self();
    struct gs_coro *co = gs_coro_lookup(t, h);
    if (!co) {
        errno = lookup_error(t, h);
        return -1;
    }
    return co->state == GS_DONE;
}
