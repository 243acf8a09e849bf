/* ucx.c - makecontext stacks get a side stack of their own (see ucx.h and
 * docs/protocol.md 7.4).
 *
 * This file is linked only through the __wrap_ names, so programs linked
 * without the wraps never refer to the __real_ ones.
 */
#define _GNU_SOURCE 1
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#ifdef GROWSTACK_VALGRIND
#include <valgrind/valgrind.h>
#endif

#include "fatal.h"
#include "mem.h"
#include "side.h"
#include "ucx.h"

void __real_makecontext(ucontext_t *ucp, void (*fn)(void), int argc, ...);
int __real_swapcontext(ucontext_t *oucp, const ucontext_t *ucp);
int __real_setcontext(const ucontext_t *ucp);
void __wrap_makecontext(ucontext_t *ucp, void (*fn)(void), int argc, ...);
int __wrap_swapcontext(ucontext_t *oucp, const ucontext_t *ucp);
int __wrap_setcontext(const ucontext_t *ucp);

struct ucx {
    struct gs_side_stack side;   /* first: 16-byte aligned (side.h)               */
    struct gs_side state;        /* its side state while it does not run          */
    uintptr_t lo, hi;            /* the stack given to makecontext                */
    void (*fn)(void);
    const ucontext_t *link;      /* uc_link at makecontext                        */
    unsigned valgrind_id;        /* the stack, registered with Valgrind           */
    long args[GS_UCX_MAX_ARGS];
};

/* The records, sorted by lo, disjoint. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct ucx **table;
static size_t count, room;

/* Whether this thread is inside the lock below (or about to take it). */
static __thread int holding;

/* The table's lock. The wrappers are not async-signal-safe (nor are the C
 * library's own, per POSIX): one entered again from a signal handler that
 * interrupted this thread inside the lock would wait for ever, so it stops
 * the program with a message instead (a handler running on another thread
 * just waits its turn). */
static void table_lock(const char *who)
{
    if (holding)
        gs_fatal("%s called while this thread was inside makecontext, swapcontext or "
                 "setcontext (from a signal handler?): growstack's versions are not "
                 "async-signal-safe (docs/protocol.md 7.4)",
                 who);
    holding = 1;
    pthread_mutex_lock(&lock);
}

static void table_unlock(void)
{
    pthread_mutex_unlock(&lock);
    holding = 0;
}

/* Home's side state while one of this thread's makecontext stacks runs
 * (stored by every wrapper that leaves home, before anything can switch back). */
static __thread struct gs_side home = {NULL, GS_SIDE_NO_LIM, NULL};

/* The index of the first record whose hi is above addr (count if none). */
static size_t first_above(uintptr_t addr)
{
    size_t a = 0, b = count;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (table[m]->hi <= addr)
            a = m + 1;
        else
            b = m;
    }
    return a;
}

static struct ucx *find(uintptr_t addr)
{
    size_t i = first_above(addr);
    return i < count && table[i]->lo <= addr ? table[i] : NULL;
}

/* The side state slot of the context whose stack holds addr. */
static struct gs_side *state_of(uintptr_t addr)
{
    struct ucx *r = find(addr);
    return r ? &r->state : &home;
}

static void drop(size_t i)
{
    struct ucx *r = table[i];
    memmove(&table[i], &table[i + 1], (count - i - 1) * sizeof *table);
    count--;
#ifdef GROWSTACK_VALGRIND
    VALGRIND_STACK_DEREGISTER(r->valgrind_id);
#endif
    gs_side_stack_release(&r->side);
    gs_mem_free(r);
}

/* The context's function, on its stack: the function makecontext was given,
 * with its arguments, then the switch of side state to uc_link's context. */
static void ucx_start(void)
{
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    table_lock("makecontext");
    struct ucx *r = find(here);
    gs_assert(r != NULL);
    void (*fn)(void) = r->fn;
    long a[GS_UCX_MAX_ARGS];
    memcpy(a, r->args, sizeof a);
    table_unlock();
    /* More arguments than the function takes are harmless under the SysV
     * ABI (the caller pops them), which is how makecontext passes them. */
    ((void (*)(long, long, long, long, long, long, long, long, long, long, long, long, long,
               long, long, long))fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8],
                                     a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
    /* The C library goes on to uc_link (or exit(0) without one): that
     * context's side state from here on. Every side frame of this one has
     * returned, so its record goes. */
    table_lock("makecontext");
    size_t i = first_above(here);
    gs_assert(i < count && table[i]->lo <= here);
    const ucontext_t *link = table[i]->link;
    drop(i);
    __gs_side = link ? *state_of((uintptr_t)link->uc_mcontext.gregs[REG_RSP]) : home;
    table_unlock();
}

void __wrap_makecontext(ucontext_t *ucp, void (*fn)(void), int argc, ...)
{
    uintptr_t lo = (uintptr_t)ucp->uc_stack.ss_sp, size = ucp->uc_stack.ss_size;
    if (argc < 0 || argc > GS_UCX_MAX_ARGS)
        gs_fatal("makecontext(%p, %p, %d, ...): growstack passes at most %d arguments to a "
                 "context's function",
                 (void *)ucp, (void *)fn, argc, GS_UCX_MAX_ARGS);
    if (!lo || !size || lo + size < lo)
        gs_fatal("makecontext(%p, %p, %d, ...): the context has no stack (uc_stack.ss_sp %p, "
                 "ss_size %zu); set both before makecontext",
                 (void *)ucp, (void *)fn, argc, (void *)lo, (size_t)size);
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    if (here >= lo && here < lo + size)
        gs_fatal("makecontext(%p, %p, %d, ...): the context's stack [%p, %p) is the stack "
                 "this call runs on",
                 (void *)ucp, (void *)fn, argc, (void *)lo, (void *)(lo + size));
    struct ucx *r = gs_mem_aligned(64, (sizeof *r + 63) & ~(size_t)63);
    if (!r)
        gs_fatal("out of memory for the side stack record of a makecontext stack");
    memset(r, 0, sizeof *r);
    gs_side_stack_init(&r->side, &r->state);
    r->lo = lo;
    r->hi = lo + size;
    r->fn = fn;
    r->link = ucp->uc_link;
#ifdef GROWSTACK_VALGRIND
    /* Memcheck then takes a switch between two such stacks, which may lie
     * close together in the heap, for a switch and not a frame. */
    r->valgrind_id = VALGRIND_STACK_REGISTER(lo, lo + size);
#endif
    va_list ap;
    va_start(ap, argc);
    for (int k = 0; k < argc; k++)
        r->args[k] = (long)va_arg(ap, greg_t); /* what the C library reads */
    va_end(ap);

    table_lock("makecontext");
    /* Records the new stack overlaps belong to contexts whose stack was reused. */
    size_t i = first_above(lo);
    while (i < count && table[i]->lo < r->hi)
        drop(i);
    if (count == room) {
        size_t n = room ? 2 * room : 16;
        struct ucx **t = gs_mem_realloc(table, n * sizeof *t);
        if (!t)
            gs_fatal("out of memory for the table of makecontext stacks");
        table = t;
        room = n;
    }
    memmove(&table[i + 1], &table[i], (count - i) * sizeof *table);
    table[i] = r;
    count++;
    table_unlock();

    __real_makecontext(ucp, ucx_start, 0);
}

/* A switch to ucp's context: store the side state of the context running at
 * `here` into its slot and install the slot of ucp's; returns the state that
 * was current, for a switch that fails. */
static struct gs_side switch_side(const char *who, uintptr_t here, const ucontext_t *ucp)
{
    table_lock(who);
    struct gs_side saved = __gs_side;
    *state_of(here) = saved;
    __gs_side = *state_of((uintptr_t)ucp->uc_mcontext.gregs[REG_RSP]);
    table_unlock();
    return saved;
}

int __wrap_swapcontext(ucontext_t *oucp, const ucontext_t *ucp)
{
    struct gs_side saved =
        switch_side("swapcontext", (uintptr_t)__builtin_frame_address(0), ucp);
    int rc = __real_swapcontext(oucp, ucp);
    if (rc != 0)
        __gs_side = saved; /* no switch took place */
    /* Else a switch back to oucp installed this context's state. */
    return rc;
}

int __wrap_setcontext(const ucontext_t *ucp)
{
    /* This context is left for good, but a switch to a point getcontext saved
     * in it may come later: that finds its last state (then 5.6's restore). */
    struct gs_side saved =
        switch_side("setcontext", (uintptr_t)__builtin_frame_address(0), ucp);
    int rc = __real_setcontext(ucp);
    __gs_side = saved; /* only a failure returns */
    return rc;
}
