/* signals.c - alternate signal stacks and the report of a guard-page hit.
 *
 * Invariants:
 *  - Every thread that runs coroutines has a sigaltstack of GS_ALTSTACK_SIZE bytes,
 *    so the kernel never builds a signal frame on a (small) coroutine stack for
 *    handlers installed with SA_ONSTACK, and the SIGSEGV handler below can run when
 *    the coroutine stack is exhausted.
 *  - The SIGSEGV handler only claims faults inside the guard page (or just below)
 *    of the running coroutine's fixed stack; any other fault goes to the program's
 *    own SIGSEGV handler if it installed one, else to the previous disposition,
 *    so the program crashes as it would without growstack.
 *  - The runtime interposes sigaction(), signal() and bsd_signal() (the program's
 *    own definitions win over the C library's weak ones; gscc exports them so
 *    shared libraries bind to them too). Every handler the program installs runs
 *    through gs_signal_dispatch: on the
 *    sigaltstack (SA_ONSTACK is forced), with the guard at 0 (handlers are
 *    callbacks on the system stack: no prologue check may fire there) and with
 *    gs_tls.ext_target naming the handler, so yielding from it is a fatal error,
 *    and with __gs_side in the thread's signal area (side.h), so a handler
 *    never enters the side stack's slow path of the code it interrupted.
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

/* What the program asked for, per signal (only handlers, not SIG_DFL/SIG_IGN). */
static struct sigaction user_action[NSIG];
static volatile sig_atomic_t user_installed[NSIG];

static void call_user(int sig, siginfo_t *si, void *uc)
{
    struct sigaction *a = &user_action[sig];
    void *target = (a->sa_flags & SA_SIGINFO) ? (void *)a->sa_sigaction : (void *)a->sa_handler;
    uintptr_t guard = gs_arch_get_guard();
    void *ext = gs_tls.ext_target;
    struct gs_side side;
    gs_arch_set_guard(0);
    gs_tls.ext_target = target;
    gs_side_signal_enter(&side); /* the handler's side frames: side.h */
    if (a->sa_flags & SA_SIGINFO)
        a->sa_sigaction(sig, si, uc);
    else
        a->sa_handler(sig);
    gs_side_signal_leave(&side);
    gs_tls.ext_target = ext;
    gs_arch_set_guard(guard);
}

static void gs_signal_dispatch(int sig, siginfo_t *si, void *uc)
{
    if (sig > 0 && sig < NSIG && user_installed[sig])
        call_user(sig, si, uc);
}

/* The C library's own implementation (public since glibc 2.2.5). */
int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);

static void restore_previous(void)
{
    __sigaction(SIGSEGV, &previous_segv, NULL);
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
    gs_arch_set_guard(guard);
    if (user_installed[SIGSEGV]) {
        call_user(SIGSEGV, si, uc);
        return;
    }
    /* Not ours: let the previous disposition handle the re-executed fault. */
    restore_previous();
}

int gs_sigaction(int sig, const struct sigaction *act, struct sigaction *old);
sighandler_t gs_signal(int sig, sighandler_t handler);

static int is_handler(const struct sigaction *a)
{
    if (a->sa_flags & SA_SIGINFO)
        return a->sa_sigaction != NULL;
    return a->sa_handler != SIG_DFL && a->sa_handler != SIG_IGN;
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    return gs_sigaction(sig, act, old);
}

int gs_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (sig <= 0 || sig >= NSIG)
        return __sigaction(sig, act, old);
    struct sigaction prev = user_action[sig];
    int had = user_installed[sig];
    struct sigaction kernel_old;
    int rc = 0;
    if (act && is_handler(act)) {
        struct sigaction mine = *act;
        mine.sa_flags |= SA_SIGINFO | SA_ONSTACK;
        mine.sa_sigaction = sig == SIGSEGV && handler_installed ? on_segv : gs_signal_dispatch;
        user_installed[sig] = 0;
        user_action[sig] = *act;
        rc = __sigaction(sig, &mine, &kernel_old);
        if (rc == 0)
            user_installed[sig] = 1;
        else if (had)
            user_action[sig] = prev, user_installed[sig] = 1;
    } else if (act && sig == SIGSEGV && handler_installed) {
        /* SIG_DFL / SIG_IGN for SIGSEGV: keep reporting overflows, then behave as
         * asked for anything else. */
        user_installed[sig] = 0;
        previous_segv = *act;
        rc = __sigaction(sig, NULL, &kernel_old);
    } else {
        if (act)
            user_installed[sig] = 0;
        rc = __sigaction(sig, act, &kernel_old);
    }
    if (rc == 0 && old)
        *old = had ? prev : kernel_old;
    return rc;
}

sighandler_t signal(int sig, sighandler_t handler)
{
    return gs_signal(sig, handler);
}

sighandler_t bsd_signal(int sig, sighandler_t handler)
{
    return gs_signal(sig, handler);
}

sighandler_t gs_signal(int sig, sighandler_t handler)
{
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    act.sa_handler = handler;
    act.sa_flags = SA_RESTART; /* glibc's signal() has BSD semantics */
    sigemptyset(&act.sa_mask);
    if (gs_sigaction(sig, &act, &old))
        return SIG_ERR;
    return (old.sa_flags & SA_SIGINFO) ? (sighandler_t)(void *)old.sa_sigaction : old.sa_handler;
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
        __sigaction(SIGSEGV, &sa, &previous_segv);
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
