/* signals.c - alternate signal stacks, the SIGSEGV handler, the sigaction()
 * interposition (see signals.h). */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fatal.h"
#include "gcroots.h"
#include "overflow.h"
#include "side.h"
#include "signals.h"
#include "thread.h"
#include "wait.h"

#define GS_ALTSTACK_SIZE ((size_t)64 << 10)

/* The calling thread's signal stack, when the runtime mapped it. */
static __thread stack_t altstack;

static struct sigaction previous_segv;
static int handler_installed;

/* What the program asked for, per signal (only handlers, not SIG_DFL/SIG_IGN). */
static struct sigaction user_action[NSIG];
static volatile sig_atomic_t user_installed[NSIG];

/* The thread's own stack, for libgc's suspend handler (gcroots.h); 0 when
 * the program does not link libgc. */
static __thread uintptr_t own_lo, own_hi;
/* The stack pointer and pc the outermost running handler interrupted. */
static __thread uintptr_t outer_sp, outer_pc;

struct user_call {
    struct sigaction *a;
    int sig;
    siginfo_t *si;
    void *uc;
    stack_t alt; /* the signal stack to restore (on_own_stack) */
};

static void invoke(struct user_call *c)
{
    if (c->a->sa_flags & SA_SIGINFO)
        c->a->sa_sigaction(c->sig, c->si, c->uc);
    else
        c->a->sa_handler(c->sig);
}

/* libgc's suspend handler, on the thread's own stack: libgc takes the stack
 * pointer it sees there for the bottom of the thread's stack, which it scans
 * up to the base. The signal stack is off meanwhile, so that a signal that
 * arrives while the handler waits (libgc's restart signal) gets a frame where
 * the handler runs rather than over this one at the signal stack's top. */
static void on_own_stack(void *p)
{
    struct user_call *c = p;
    stack_t off = {.ss_flags = SS_DISABLE};
    sigaltstack(&off, NULL);
    invoke(c);
    sigaltstack(&c->alt, NULL);
}

/* Where on the thread's own stack libgc's suspend handler can run (0: nowhere
 * known; it then runs where the kernel put it, on the signal stack):
 *  - below the frame the signal interrupted, when that is on the thread's own
 *    stack (a call that left instrumented code, or no coroutine running; 256
 *    bytes leave its red zone alone);
 *  - on a coroutine's stack: below every frame the thread's own stack holds
 *    then, gs_tls.sys_sp, or sys_low if that is lower: a switch back to the
 *    thread restores sys_sp (to 0 at the outermost level) a few instructions
 *    before %rsp leaves the coroutine's stack, and sys_low, the last value
 *    gs_resume gave it, is below the frames live then;
 *  - on a stack of the runtime's (gs_gcroots_holds) with no coroutine running,
 *    outside the switch code: a coroutine that parks or finishes has left
 *    (coro.c's coro_leave_guard: gs_tls.cur is its resumer, NULL at the
 *    outermost level, sys_sp restored) but not yet switched (gs_block_enter's
 *    park, gs_coro_park, gs_coro_finish): the same as a switch half done;
 *  - anywhere else with no coroutine running and outside the switch code (a
 *    makecontext stack switched to from the thread's own stack, whose frames
 *    there may lie below both): nowhere. */
static uintptr_t own_stack_sp(uintptr_t sp, uintptr_t pc)
{
    if (sp > own_lo + 8192 && sp <= own_hi)
        return sp - 256;
    int switching = pc >= (uintptr_t)gs_arch_switch_text_lo && pc < (uintptr_t)gs_arch_switch_text_hi;
    uintptr_t alt = (uintptr_t)altstack.ss_sp;
    int on_altstack = alt && sp >= alt && sp < alt + altstack.ss_size + GS_SIDE_SIGNAL_SIZE;
    if (!gs_tls.cur && !switching && (on_altstack || !gs_gcroots_holds(sp)))
        return 0;
    uintptr_t sys = (uintptr_t)gs_tls.sys_sp, low = (uintptr_t)gs_tls.sys_low;
    uintptr_t t = sys && low ? (sys < low ? sys : low) : sys | low;
    return t > own_lo + 8192 && t <= own_hi ? t : 0;
}

/* While the scheduler waits idle and a coroutine is parked in a transparent
 * call, the signal is held for that coroutine (wait.h, "Signals"): its handler
 * does not run now; the call raises the signal again when its coroutine runs.
 * Never a signal the kernel raises for a fault, libgc's suspend signal (its
 * collector waits for the handler), or one whose handler has SA_RESETHAND (the
 * kernel reset the disposition already). Returns 1 if held. */
static int hold(int sig, const struct sigaction *a, siginfo_t *si)
{
    if (!gs_tls.sched_idle || gs_tls.in_signal || !si || (a->sa_flags & SA_RESETHAND))
        return 0;
    if (gs_thread_fault_signal(sig) || sig == gs_gcroots_suspend_signal())
        return 0;
    if (!gs_wait_can_hold_signals(&gs_tls))
        return 0;
    gs_thread_hold_signal(&gs_tls, sig, si);
    return 1;
}

static void call_user(int sig, siginfo_t *si, void *uc)
{
    struct sigaction *a = &user_action[sig];
    if (hold(sig, a, si))
        return;
    void *target = (a->sa_flags & SA_SIGINFO) ? (void *)a->sa_sigaction : (void *)a->sa_handler;
    uintptr_t guard = gs_arch_get_guard();
    void *ext = gs_tls.ext_target;
    struct gs_side side;
    /* A handler interrupts the transparent calls parked on this thread, as it
     * interrupts a thread's blocking call (wait.h, "Signals"). Counted before
     * it runs: it may leave with siglongjmp. */
    __atomic_store_n(&gs_tls.sig_caught[0], gs_tls.sig_caught[0] + 1, __ATOMIC_RELAXED);
    if (!(a->sa_flags & SA_RESTART))
        __atomic_store_n(&gs_tls.sig_caught[1], gs_tls.sig_caught[1] + 1, __ATOMIC_RELAXED);
    if (!gs_tls.in_signal) {
        outer_sp = gs_arch_uc_sp(uc);
        outer_pc = gs_arch_uc_pc(uc);
    }
    gs_arch_set_guard(0);
    gs_tls.ext_target = target;
    gs_side_signal_enter(&side); /* the handler's side frames: side.h */
    gs_tls.in_signal++;
    struct user_call c = {a, sig, si, uc, {0}};
    uintptr_t own = own_hi && sig == gs_gcroots_suspend_signal() ? own_stack_sp(outer_sp, outer_pc) : 0;
    if (own && sigaltstack(NULL, &c.alt) == 0) {
        c.alt.ss_flags = 0;
        gs_call_on_stack((void *)own, on_own_stack, &c);
    } else {
        invoke(&c);
    }
    if (gs_tls.in_signal) /* 0 if a resync on a coroutine stack reset it */
        gs_tls.in_signal--;
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
    uintptr_t guard = gs_arch_get_guard();
    gs_arch_set_guard(0);
    gs_overflow_check_fault(si, uc, &altstack); /* reports and aborts if an overflow */
    gs_arch_set_guard(guard);
    if (user_installed[SIGSEGV]) {
        call_user(SIGSEGV, si, uc);
        return;
    }
    /* Not ours: let the previous disposition handle the re-executed fault. */
    restore_previous();
}

static int do_sigaction(int sig, const struct sigaction *act, struct sigaction *old);
static sighandler_t do_signal(int sig, sighandler_t handler);

static int is_handler(const struct sigaction *a)
{
    if (a->sa_flags & SA_SIGINFO)
        return a->sa_sigaction != NULL;
    return a->sa_handler != SIG_DFL && a->sa_handler != SIG_IGN;
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    return do_sigaction(sig, act, old);
}

static int do_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
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
    /* What the program would have seen without growstack: never the runtime's
     * own SIGSEGV handler, which a program that chains to the previous handler
     * (libgc's write barrier does, for faults that are not its own) would call
     * and be called by again, without end. */
    if (rc == 0 && old)
        *old = had ? prev : sig == SIGSEGV && handler_installed ? previous_segv : kernel_old;
    return rc;
}

sighandler_t signal(int sig, sighandler_t handler)
{
    return do_signal(sig, handler);
}

sighandler_t bsd_signal(int sig, sighandler_t handler)
{
    return do_signal(sig, handler);
}

static sighandler_t do_signal(int sig, sighandler_t handler)
{
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    act.sa_handler = handler;
    act.sa_flags = SA_RESTART; /* glibc's signal() has BSD semantics */
    sigemptyset(&act.sa_mask);
    if (do_sigaction(sig, &act, &old))
        return SIG_ERR;
    return (old.sa_flags & SA_SIGINFO) ? (sighandler_t)(void *)old.sa_sigaction : old.sa_handler;
}


void gs_signals_thread_init(void)
{
    gs_gcroots_init();
    if (gs_gcroots_active()) {
        pthread_attr_t at;
        void *addr;
        size_t size;
        if (pthread_getattr_np(pthread_self(), &at) || pthread_attr_getstack(&at, &addr, &size))
            gs_fatal("cannot find the calling thread's stack (pthread_getattr_np) for libgc");
        pthread_attr_destroy(&at);
        own_lo = (uintptr_t)addr;
        own_hi = (uintptr_t)addr + size;
    }
    stack_t old;
    if (sigaltstack(NULL, &old) == 0 && !(old.ss_flags & SS_DISABLE) &&
        old.ss_size >= GS_ALTSTACK_SIZE) {
        /* The program has its own, large enough: keep it. */
    } else {
        /* A PROT_NONE page below: a handler that overflows faults there and is
         * reported (overflow.c) instead of writing over whatever lies below.
         * The handlers' side area above: one mapping, made here rather than in
         * the first handler. */
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        char *p = mmap(NULL, page + GS_ALTSTACK_SIZE + GS_SIDE_SIGNAL_SIZE,
                       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (p == MAP_FAILED || mprotect(p, page, PROT_NONE))
            gs_fatal("cannot map a %zu-byte signal stack", GS_ALTSTACK_SIZE);
        stack_t ss = {.ss_sp = p + page, .ss_size = GS_ALTSTACK_SIZE, .ss_flags = 0};
        if (sigaltstack(&ss, NULL))
            gs_fatal("sigaltstack failed");
        altstack = ss;
        gs_side_signal_area_init(p + page + GS_ALTSTACK_SIZE);
        /* The registers a signal interrupted are in its frame, here. */
        gs_gcroots_add(ss.ss_sp, GS_ALTSTACK_SIZE + GS_SIDE_SIGNAL_SIZE);
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

void gs_signals_thread_exit(void)
{
    if (altstack.ss_sp) {
        gs_gcroots_remove(altstack.ss_sp, GS_ALTSTACK_SIZE + GS_SIDE_SIGNAL_SIZE);
        stack_t off = {.ss_flags = SS_DISABLE};
        sigaltstack(&off, NULL);
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        gs_side_signal_area_drop((char *)altstack.ss_sp + altstack.ss_size);
        munmap((char *)altstack.ss_sp - page, page + altstack.ss_size + GS_SIDE_SIGNAL_SIZE);
        altstack.ss_sp = NULL;
    }
}
