/* overflow.c - recognising a stack overflow in a SIGSEGV, wherever it happens.
 *
 * Instrumented code never overflows silently: its prologue checks call
 * __morestack, which grows the stack or reports (stack.c). What can still run
 * off the end of a stack is code without checks, and each stack it can run on
 * ends in a page that faults:
 *
 *   the running coroutine's fixed stack   PROT_NONE page below it (segment.c):
 *                                         uninstrumented entry functions, or
 *                                         code within the guard slack
 *   the thread's own ("system") stack     the kernel's guard below a thread's
 *                                         stack or the main stack's rlimit:
 *                                         libc and other uninstrumented code,
 *                                         callbacks, the runtime's slow paths
 *   the thread's signal stack             PROT_NONE page below it (signals.c):
 *                                         signal handlers
 *
 * A fault is an overflow of stack [lo, hi) when the interrupted %rsp lies in
 * [lo - GS_OVERFLOW_REACH, hi) and the faulting address below lo, no further
 * than GS_OVERFLOW_REACH, and not below %rsp by more than a red zone and a
 * push: the access was made by the code using that stack, at its end. Anything
 * else (a NULL or wild pointer) is not claimed and the program crashes as it
 * would without growstack. A claimed overflow ends in one "growstack:" line
 * saying which stack, on which thread, what ran there, and the limit.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>

#include "config.h"
#include "coro.h"
#include "fatal.h"
#include "overflow.h"
#include "symbols.h"
#include "thread.h"

/* How far below a stack a fault still counts as its overflow: a frame (or a VLA)
 * can skip the guard page and touch memory well below it. */
#define GS_OVERFLOW_REACH ((uintptr_t)1 << 20)
/* An access below %rsp: the red zone, plus the slot a push or call writes. */
#define GS_BELOW_SP (GS_RED_ZONE + 8)

/* The calling thread's own stack [lo, hi), read at initialization
 * (pthread_getattr_np; 0 if unknown). */
static __thread struct {
    int known;                    /* gs_overflow_thread_init ran                */
    int main_thread;              /* the process's initial thread (limit: ulimit -s) */
    uintptr_t lo, hi;
} own;

/* For the main thread glibc derives the stack from RLIMIT_STACK and the
 * mappings; the kernel's guard gap lies below it. */
void gs_overflow_thread_init(void)
{
    pthread_attr_t a;
    void *addr;
    size_t size;
    own.known = 1;
    own.main_thread = getpid() == gettid();
    if (pthread_getattr_np(pthread_self(), &a))
        return;
    if (pthread_attr_getstack(&a, &addr, &size) == 0) {
        own.lo = (uintptr_t)addr;
        own.hi = (uintptr_t)addr + size;
    }
    pthread_attr_destroy(&a);
}

enum stack_kind { ON_COROUTINE, ON_SIGNAL_STACK, ON_THREAD_STACK, NKINDS };

struct stack_range {
    uintptr_t lo, hi;
};

/* Which of the thread's stacks the interrupted code ran on: the one holding sp,
 * else the one whose low end sp has just passed (a frame allocated beyond it).
 * NKINDS if none. */
static enum stack_kind stack_of(const struct stack_range *r, uintptr_t sp)
{
    for (int k = 0; k < NKINDS; k++)
        if (r[k].lo && sp >= r[k].lo && sp < r[k].hi)
            return (enum stack_kind)k;
    enum stack_kind best = NKINDS;
    for (int k = 0; k < NKINDS; k++)
        if (r[k].lo && sp < r[k].lo && sp + GS_OVERFLOW_REACH >= r[k].lo &&
            (best == NKINDS || r[k].lo < r[best].lo))
            best = (enum stack_kind)k;
    return best;
}

/* Whether a fault at `a` by code running with stack pointer `sp` on stack r ran
 * off its low end. */
static int ran_off(const struct stack_range *r, uintptr_t sp, uintptr_t a)
{
    return a < r->lo && a + GS_OVERFLOW_REACH >= r->lo && a + GS_BELOW_SP >= sp;
}

/* "at f+0x1c, inside qsort called from coroutine 1 (main)", or what else runs on
 * the system stack. */
static void describe_system_code(struct gs_thread *t, const char *at, char *buf, size_t len)
{
    char who[128];
    if (t->ext_target) {
        char target[128];
        gs_symbols_name(t->ext_target, target, sizeof target);
        gs_coro_describe(t->cur, who, sizeof who);
        gs_format(buf, len, "at %s, inside %s called from %s", at, target, who);
    } else if (t->cur) {
        gs_format(buf, len, "at %s, in the runtime", at);
    } else {
        gs_format(buf, len, "at %s, outside coroutines", at);
    }
}

void gs_overflow_check_fault(const siginfo_t *si, const void *uc, const stack_t *altstack)
{
    struct gs_thread *t = &gs_tls;
    if (!own.known)
        return;
    uintptr_t a = (uintptr_t)si->si_addr;
    uintptr_t sp = gs_arch_uc_sp(uc);
    const void *pc = (const void *)gs_arch_uc_pc(uc);
    char what[512];

    /* co->stack.top may lag behind after segmented returns: take the segment that holds
     * sp, or whose low end sp has just passed. */
    struct gs_coro *co = t->cur;
    struct gs_seg *s = NULL;
    for (struct gs_seg *g = co ? co->stack.bottom : NULL; g; g = g->next) {
        if (sp >= (uintptr_t)g->lo && sp < (uintptr_t)GS_SEG_HI(g)) {
            s = g;
            break;
        }
        if (!s && sp < (uintptr_t)g->lo && sp + GS_OVERFLOW_REACH >= (uintptr_t)g->lo)
            s = g;
    }
    uintptr_t alt_lo = (uintptr_t)altstack->ss_sp;
    struct stack_range r[NKINDS] = {
        [ON_COROUTINE] = {s ? (uintptr_t)s->lo : 0, s ? (uintptr_t)GS_SEG_HI(s) : 0},
        [ON_SIGNAL_STACK] = {alt_lo, alt_lo + altstack->ss_size},
        [ON_THREAD_STACK] = {own.lo, own.hi},
    };
    enum stack_kind k = stack_of(r, sp);
    if (k == NKINDS || !ran_off(&r[k], sp, a))
        return;
    char at[128];
    gs_symbols_name(pc, at, sizeof at);

    if (k == ON_COROUTINE) {
        char who[128];
        gs_coro_describe(co, who, sizeof who);
        if (s->kind == GS_SEG_FIXED)
            gs_fatal("stack overflow in %s, mode %s: uninstrumented code ran past the "
                     "guard page at %p (fault at %p, at %s) on thread %u; stack %zu bytes, "
                     "limit %zu (GROWSTACK_MAX)",
                     who,
                     gs_cfg.mode == GS_MODE_FIXED ? "fixed" : "fixed (uninstrumented entry)",
                     (void *)s->base, (void *)a, at, t->index, GS_SEG_USABLE(s),
                     gs_cfg.mode == GS_MODE_FIXED ? gs_cfg.max : GS_SEG_USABLE(s));
        gs_fatal("stack overflow in %s, mode %s: code without a stack check ran past the "
                 "end of its %zu-byte segment (fault at %p, at %s) on thread %u; limit %zu "
                 "(GROWSTACK_MAX)",
                 who, gs_mode_name(gs_cfg.mode), GS_SEG_USABLE(s), (void *)a, at, t->index,
                 gs_cfg.max);
    }
    if (k == ON_SIGNAL_STACK) {
        char handler[128];
        gs_symbols_name(t->ext_target ? t->ext_target : pc, handler, sizeof handler);
        gs_fatal("stack overflow in the signal handler %s on thread %u (fault at %p, at %s): "
                 "handlers run on the thread's signal stack of %zu bytes, its limit",
                 handler, t->index, (void *)a, at, altstack->ss_size);
    }
    describe_system_code(t, at, what, sizeof what);
    gs_fatal("stack overflow on the system stack of thread %u, %s: fault at %p, below the "
             "thread's stack of %zu bytes, its limit (%s)",
             t->index, what, (void *)a, (size_t)(own.hi - own.lo),
             own.main_thread ? "the main thread: ulimit -s" : "a thread: pthread_attr_setstacksize");
}
