/* coro.c - the coroutine core (see coro.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "coro.h"
#include "fatal.h"
#include "mem.h"
#include "symbols.h"

__thread struct gs_coro_thread gs_coro_tls __attribute__((tls_model("initial-exec")));

static const struct gs_coro_hooks *hooks;

void gs_coro_setup(const struct gs_coro_hooks *h)
{
    hooks = h;
    gs_thread_set_namer(gs_coro_describe);
}

/* ---- handles --------------------------------------------------------------- */

/* The tag in a handle names the owning thread, so a handle used on another
 * thread is recognised (EXDEV) instead of being looked up in the wrong table,
 * where its slot and generation could name a coroutine of that thread. A new
 * slot's first generation comes from a process-wide counter: a thread that
 * inherits the tag of an exited one does not hand out that thread's old handles
 * again. Tags of live threads are allocated next-fit, so an exited thread's tag
 * is reused as late as possible. */
#define GS_NO_SLOT UINT32_MAX
#define GS_MAX_SLOTS (1u << GS_HANDLE_SLOT_BITS)
#define GS_NTAGS 65536

static uint64_t tags_used[GS_NTAGS / 64];
static uint32_t tag_cursor;
static pthread_mutex_t tag_lock = PTHREAD_MUTEX_INITIALIZER;

static int tag_live(uint32_t tag)
{
    return tag && tag < GS_NTAGS &&
           (__atomic_load_n(&tags_used[tag / 64], __ATOMIC_RELAXED) & (1ull << (tag % 64)));
}

void gs_coro_thread_init(void)
{
    struct gs_coro_thread *c = &gs_coro_tls;
    c->free_slot = GS_NO_SLOT;
    pthread_mutex_lock(&tag_lock);
    for (uint32_t n = 0; n < GS_NTAGS; n++) {
        uint32_t tag = tag_cursor = (tag_cursor + 1) % GS_NTAGS;
        if (tag && !tag_live(tag)) {
            __atomic_fetch_or(&tags_used[tag / 64], 1ull << (tag % 64), __ATOMIC_RELAXED);
            c->tag = tag;
            pthread_mutex_unlock(&tag_lock);
            return;
        }
    }
    gs_fatal("more than %d threads use growstack at once", GS_NTAGS - 1);
}

void gs_coro_thread_exit(void)
{
    struct gs_coro_thread *c = &gs_coro_tls;
    gs_assert(c->nalive == 0 && !c->zombies);
    if (c->tag)
        __atomic_fetch_and(&tags_used[c->tag / 64], ~(1ull << (c->tag % 64)),
                           __ATOMIC_RELAXED);
    gs_mem_free(c->slots);
    memset(c, 0, sizeof *c);
}

static uint32_t next_gen(uint32_t gen)
{
    gen = (gen + 1) & GS_HANDLE_FIELD_MASK;
    return gen ? gen : 1;
}

static int slot_alloc(struct gs_coro *co)
{
    static uint32_t gen_seed;
    struct gs_coro_thread *c = &gs_coro_tls;
    uint32_t i;
    if (c->free_slot != GS_NO_SLOT) {
        i = c->free_slot;
        gs_assert(i < c->nslots && c->slots[i].co == NULL);
        c->free_slot = c->slots[i].next_free;
    } else {
        if (c->nslots == GS_MAX_SLOTS)
            return -1;
        if (c->nslots == c->cap_slots) {
            uint32_t cap = c->cap_slots ? c->cap_slots * 2 : 256;
            struct gs_slot *s = gs_mem_realloc(c->slots, cap * sizeof *s);
            if (!s)
                return -1;
            c->slots = s;
            c->cap_slots = cap;
        }
        i = c->nslots++;
        c->slots[i].gen = __atomic_fetch_add(&gen_seed, 1, __ATOMIC_RELAXED);
    }
    c->slots[i].co = co;
    c->slots[i].gen = next_gen(c->slots[i].gen);
    co->handle = ((uint64_t)c->tag << (GS_HANDLE_SLOT_BITS + GS_HANDLE_GEN_BITS)) |
                 ((uint64_t)c->slots[i].gen << GS_HANDLE_SLOT_BITS) | i;
    return 0;
}

static void slot_free(struct gs_coro *co)
{
    if (!co->handle)
        return;
    struct gs_coro_thread *c = &gs_coro_tls;
    uint32_t i = GS_HANDLE_SLOT(co->handle);
    c->slots[i].co = NULL;
    c->slots[i].next_free = c->free_slot;
    c->free_slot = i;
    co->handle = 0;
}

int gs_coro_lookup_error(gs_handle h)
{
    uint32_t tag = GS_HANDLE_TAG(h);
    return tag != gs_coro_tls.tag && tag_live(tag) ? EXDEV : ESRCH;
}

/* ---- life cycle ------------------------------------------------------------ */

struct gs_coro *gs_coro_create(void *fn, uintptr_t a0, uintptr_t a1, uintptr_t a2,
                               const struct gs_spawn_attr *attr)
{
    struct gs_coro *co = gs_mem_calloc(1, sizeof *co);
    if (!co) {
        errno = ENOMEM;
        return NULL;
    }
    co->fn = fn;
    co->state = GS_READY;
    if (attr && attr->name) {
        strncpy(co->name, attr->name, sizeof co->name - 1);
    }
    if (slot_alloc(co)) {
        gs_mem_free(co);
        errno = ENOMEM;
        return NULL;
    }
    int rc = gs_stack_create(&co->stack, attr ? attr->initial : 0, fn);
    if (rc) {
        slot_free(co);
        gs_mem_free(co);
        errno = rc;
        return NULL;
    }
    co->ctx.sp = gs_arch_ctx_init(GS_SEG_HI(co->stack.bottom), fn, a0, a1, a2);
    gs_tls.stats.spawned++;
    gs_coro_tls.nalive++;
    return co;
}

/* free() and munmap() may need more stack than a coroutine's guard slack: the
 * work runs through gs_sys_call (direct when already on the system stack). */
static void destroy_on_sys(void *arg)
{
    gs_mem_free(arg);
}

void gs_coro_destroy(struct gs_coro *co)
{
    gs_assert(co->state == GS_DONE);
    gs_coro_reap(); /* its stack, if it finished since the last reap */
    slot_free(co);
    gs_sys_call(destroy_on_sys, co);
}

void gs_coro_detach(struct gs_coro *co)
{
    co->flags |= GS_CORO_DETACHED;
    slot_free(co);
}

/* Finished coroutines wait on the zombie list until something runs on the
 * system stack: their stacks cannot be freed while they are still being left. */
static void reap_on_sys(void *arg)
{
    struct gs_coro_thread *c = arg;
    while (c->zombies) {
        struct gs_coro *co = c->zombies;
        c->zombies = co->reap_next;
        co->reap_next = NULL;
        gs_stack_release(&co->stack);
        if (co->flags & GS_CORO_DETACHED) {
            slot_free(co);
            gs_mem_free(co);
        }
    }
}

void gs_coro_reap(void)
{
    if (gs_coro_tls.zombies)
        gs_sys_call(reap_on_sys, &gs_coro_tls);
}

/* The coroutine's half of a switch's bookkeeping (see gs_coro_enter). */
static inline __attribute__((always_inline)) void coro_leave_guard(struct gs_thread *t,
                                                                   struct gs_coro *co,
                                                                   enum gs_state state,
                                                                   uintptr_t guard)
{
    struct gs_coro *r = co->resumer;
    co->state = state;
    co->stack.guard = guard;
    gs_side_switch(&co->stack.side, r ? &r->stack.side : gs_side_thread_state());
    t->cur = r;
    if (r)
        r->state = GS_RUNNING;
    t->sys_sp = co->saved_sys_sp;
    t->ext_target = co->saved_ext;
}

static inline __attribute__((always_inline)) void coro_leave(struct gs_thread *t,
                                                             struct gs_coro *co,
                                                             enum gs_state state)
{
    coro_leave_guard(t, co, state, gs_arch_get_guard());
}

/* Whether co's saved context may start a frame walk: saved by gs_yield, or by a
 * blocking call's parking frame (resume address gs_park_ret). A coroutine
 * parked by gs_coro_park (gs_coro_wait) has that C frame on its stack. */
static inline int movable_context(const struct gs_coro *co)
{
    return co->state == GS_SUSPENDED ||
           (co->state == GS_PARKED &&
            *(const uint64_t *)gs_arch_ctx_pc_slot((uintptr_t)co->ctx.sp) ==
                (uintptr_t)gs_park_ret);
}

enum gs_state gs_coro_resume(struct gs_coro *co)
{
    if (co->state == GS_SUSPENDED)
        gs_stack_maybe_shrink(&co->stack, &co->ctx.sp);
    gs_coro_enter(co, (uintptr_t)__builtin_frame_address(0));
    gs_ctx_switch(co->back, &co->ctx, co->stack.guard);
    enum gs_state st = co->state;
    int movable = movable_context(co); /* before the reap: a DONE co may be freed */
    gs_coro_reap();
    if (movable) {
        if (__builtin_expect(st == GS_PARKED && gs_cfg.force_move, 0))
            gs_stack_move_parked(&co->stack, &co->ctx.sp);
        else
            gs_stack_maybe_shrink(&co->stack, &co->ctx.sp);
    }
    return st;
}

void gs_coro_park(void)
{
    struct gs_thread *t = &gs_tls;
    struct gs_coro *co = t->cur;
    hooks->stopped(co);
    coro_leave(t, co, GS_PARKED);
    gs_ctx_switch(&co->ctx, co->back, co->back_guard);
}

struct gs_coro *gs_coro_park_prepare(uintptr_t guard)
{
    struct gs_thread *t = &gs_tls;
    struct gs_coro *co = t->cur;
    gs_assert(co && guard != 0);
    hooks->stopped(co);
    coro_leave_guard(t, co, GS_PARKED, guard);
    return co;
}

int gs_coro_wake(struct gs_coro *co)
{
    if (co->state != GS_PARKED)
        return EINVAL;
    co->state = GS_READY;
    hooks->runnable(co);
    return 0;
}

void gs_coro_wait(struct gs_coro *co)
{
    co->joiner = gs_tls.cur;
    gs_coro_park();
}

/* co finished (its function returned, or the thread abandoned it): it leaves
 * every run queue and wakes the coroutine waiting for it; the reaper frees its
 * stack. */
static void finished(struct gs_coro *co, void *result)
{
    co->result = result;
    gs_tls.stats.finished++;
    gs_coro_tls.nalive--;
    co->state = GS_DONE;
    hooks->stopped(co);
    struct gs_coro *j = co->joiner;
    if (j && gs_coro_wake(j))
        gs_fatal("the coroutine waiting for a finished one was not parked (state %d)",
                 (int)j->state);
    co->reap_next = gs_coro_tls.zombies;
    gs_coro_tls.zombies = co;
}

void gs_coro_finish(void *result)
{
    struct gs_thread *t = &gs_tls;
    struct gs_coro *co = t->cur;
    finished(co, result);
    coro_leave(t, co, GS_DONE);
    gs_ctx_switch(&co->ctx, co->back, co->back_guard);
    gs_fatal("a finished coroutine was resumed");
}

/* A coroutine that can never run again because the thread left it without a
 * switch (see gs_coro_abandon): finish it as if its function had returned
 * NULL, and let the reaper free it. */
static void abandon_one(struct gs_coro *co)
{
    if (co->state == GS_DONE)
        return;
    finished(co, NULL);
    co->flags |= GS_CORO_DETACHED;
}

void gs_coro_abandon(struct gs_coro *main_co)
{
    struct gs_thread *t = &gs_tls;
    struct gs_coro *co = t->cur;
    t->cur = NULL;
    t->ext_target = NULL;
    gs_arch_set_guard(0);
    /* Back to the thread's own side stack, as coro_leave would have done: its
     * state was saved by the gs_coro_enter that left the thread's own code. The
     * side chunks of the coroutines ended here go with their stacks
     * (gs_stack_release, in the reaper). */
    if (co)
        gs_side_back_to_thread();
    while (co) {
        struct gs_coro *r = co->resumer;
        abandon_one(co);
        co = r;
    }
    if (main_co)
        abandon_one(main_co);
    gs_coro_reap();
}

/* gs_yield is in assembly (arch/x86_64/switch_*.S): it switches straight from
 * its caller's frame, so a suspended coroutine's stack holds only instrumented
 * frames and can be moved (shrink). This is its C half: the checks and
 * coro_leave. */
struct gs_coro *gs_coro_yield_prepare(const void *caller_pc)
{
    struct gs_thread *t = &gs_tls;
    struct gs_coro *co = t->cur;
    if (!co)
        return NULL;
    if (t->ext_target)
        gs_coro_misuse("gs_yield", "yield", caller_pc);
    coro_leave(t, co, GS_SUSPENDED);
    return co;
}

struct gs_coro *gs_coro_find_by_sp(uintptr_t sp, struct gs_coro *except)
{
    const struct gs_coro_thread *c = &gs_coro_tls;
    for (uint32_t i = 0; i < c->nslots; i++) {
        struct gs_coro *co = c->slots[i].co;
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

/* The Itanium C++ ABI's values (<unwind.h>, which runtime/unwind.h shadows
 * here): _UA_SEARCH_PHASE, _UA_FORCE_UNWIND, _URC_CONTINUE_UNWIND. */
enum { UA_SEARCH_PHASE = 1, UA_FORCE_UNWIND = 8, URC_CONTINUE_UNWIND = 8 };

int gs_coro_tramp_personality(int version, int actions, uint64_t exception_class, void *exception,
                              void *context)
{
    (void)version, (void)exception_class, (void)exception, (void)context;
    if ((actions & UA_FORCE_UNWIND) || !(actions & UA_SEARCH_PHASE))
        return URC_CONTINUE_UNWIND;
    struct gs_thread *t = &gs_tls;
    char inside[128], who[128];
    gs_symbols_name(t->ext_target, inside, sizeof inside);
    gs_coro_describe(t->cur, who, sizeof who);
    gs_fatal("an exception thrown inside %s, called by %s, would unwind out of the call into the "
             "coroutine's stack on thread %u: exceptions across growstack's switch to the system "
             "stack are not supported (docs/usage.md section 5); catch it in uninstrumented code "
             "or build with -fno-exceptions",
             inside, who, t->index);
}

/* Runs on the system stack (a callback's); its buffers are in its own frame,
 * not in that of gs_join, which runs in the guard slack
 * (tests/runtime/leaf_stack_use). */
void gs_coro_misuse(const char *what, const char *verb, const void *caller_pc)
{
    struct gs_thread *t = &gs_tls;
    char caller[128], inside[128], who[128];
    gs_symbols_name(caller_pc, caller, sizeof caller);
    gs_symbols_name(t->ext_target, inside, sizeof inside);
    gs_coro_describe(t->cur, who, sizeof who);
    gs_fatal("%s called by %s on the system stack of thread %u, inside %s (a callback from "
             "uninstrumented code called by %s, or a signal handler); a coroutine can only %s "
             "on its own stack",
             what, caller, t->index, inside, who, verb);
}
