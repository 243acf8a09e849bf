/* signals.c - alternate signal stacks and the report of a guard-page hit.
 *
 * Invariants:
 *  - Every thread that runs coroutines has a sigaltstack of GS_ALTSTACK_SIZE bytes,
 *    so the kernel never builds a signal frame on a (small) coroutine stack for
 *    handlers installed with SA_ONSTACK, and the SIGSEGV handler below can run when
 *    the coroutine stack is exhausted.
 *  - The SIGSEGV handler only claims faults inside the guard page (or just below)
 *    of the running coroutine's fixed stack; any other fault is handed back to the
 *    previous disposition, so the program crashes as it would without growstack.
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "coro.h"
#include "fatal.h"
#include "grow.h"
#include "thread.h"

#define GS_ALTSTACK_SIZE ((size_t)64 << 10)
/* A frame can jump over the guard page; count faults this far below it too. */
#define GS_GUARD_REACH ((size_t)64 << 10)

static struct sigaction previous_segv;
static int handler_installed;

static void restore_previous(void)
{
    sigaction(SIGSEGV, &previous_segv, NULL);
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    uintptr_t guard = gs_arch_get_guard();
    gs_arch_set_guard(0);
    struct gs_coro *co = gs_tls.cur;
    uintptr_t a = (uintptr_t)si->si_addr;
    if (co && co->top) {
        struct gs_seg *s = co->top;
        uintptr_t lo = (uintptr_t)s->lo;
        uintptr_t base = (uintptr_t)s->base;
        uintptr_t floor = base > GS_GUARD_REACH ? base - GS_GUARD_REACH : 0;
        if (a < lo && a >= floor) {
            char who[64];
            gs_coro_describe(co, who, sizeof who);
            gs_fatal("stack overflow in %s, mode %s: uninstrumented code ran past the "
                     "guard page at %p (fault at %p); stack %zu bytes, limit %zu "
                     "(GROWSTACK_MAX)",
                     who, gs_mode_name(gs_cfg.mode), (void *)base, (void *)a,
                     GS_SEG_USABLE(s), gs_cfg.max);
        }
    }
    /* Not ours: let the previous disposition handle the re-executed fault. */
    gs_arch_set_guard(guard);
    restore_previous();
}

void gs_signals_thread_init(struct gs_thread *t) __attribute__((visibility("hidden")));
void gs_signals_thread_init(struct gs_thread *t)
{
    stack_t old;
    if (sigaltstack(NULL, &old) == 0 && !(old.ss_flags & SS_DISABLE) &&
        old.ss_size >= GS_ALTSTACK_SIZE) {
        /* The program has its own, large enough: keep it. */
    } else {
        void *p = mmap(NULL, GS_ALTSTACK_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (p == MAP_FAILED)
            gs_fatal("cannot map a %zu-byte signal stack", GS_ALTSTACK_SIZE);
        stack_t ss = {.ss_sp = p, .ss_size = GS_ALTSTACK_SIZE, .ss_flags = 0};
        if (sigaltstack(&ss, NULL))
            gs_fatal("sigaltstack failed");
        t->altstack = ss;
    }
    if (!__atomic_exchange_n(&handler_installed, 1, __ATOMIC_ACQ_REL)) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_segv;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGSEGV, &sa, &previous_segv);
    }
}

void gs_signals_thread_exit(struct gs_thread *t) __attribute__((visibility("hidden")));
void gs_signals_thread_exit(struct gs_thread *t)
{
    if (t->altstack.ss_sp) {
        stack_t off = {.ss_flags = SS_DISABLE};
        sigaltstack(&off, NULL);
        munmap(t->altstack.ss_sp, t->altstack.ss_size);
        t->altstack.ss_sp = NULL;
    }
}
