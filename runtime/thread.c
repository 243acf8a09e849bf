/* thread.c - the thread context (see thread.h). */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fatal.h"
#include "thread.h"

__thread struct gs_thread gs_tls __attribute__((tls_model("initial-exec")));
__thread struct gs_fp_thread gs_fp_tls __attribute__((tls_model("initial-exec")));

static const char *(*namer)(struct gs_coro *co, char *buf, size_t len);

void gs_thread_set_namer(const char *(*fn)(struct gs_coro *co, char *buf, size_t len))
{
    __atomic_store_n(&namer, fn, __ATOMIC_RELEASE);
}

const char *gs_thread_name_cur(char *buf, size_t len)
{
    const char *(*fn)(struct gs_coro *, char *, size_t) =
        __atomic_load_n(&namer, __ATOMIC_ACQUIRE);
    if (fn)
        return fn(gs_tls.cur, buf, len);
    gs_format(buf, len, gs_tls.cur ? "a coroutine" : "the thread's own stack");
    return buf;
}

/* The siginfo of each held signal (gs_tls.sig_held). */
static __thread siginfo_t held_info[NSIG] __attribute__((tls_model("initial-exec")));

void gs_thread_hold_signal(struct gs_thread *t, int sig, const siginfo_t *si)
{
    held_info[sig] = *si;
    if (!sigismember(&t->sig_held, sig)) {
        sigaddset(&t->sig_held, sig);
        t->sig_held_n++;
    }
}

void gs_thread_release_signals(struct gs_thread *t)
{
    int e = errno;
    pid_t pid = getpid(), tid = gettid();
    for (int sig = 1; sig < NSIG && t->sig_held_n; sig++) {
        if (!sigismember(&t->sig_held, sig))
            continue;
        siginfo_t si = held_info[sig];
        sigdelset(&t->sig_held, sig);
        t->sig_held_n--;
        /* To itself, with the siginfo the kernel gave (allowed for any
         * si_code); the kernel delivers it before the call returns. Valgrind
         * delivers it at a later system call: a few, until the handler ran
         * (not if the thread blocks the signal: it stays pending). */
        unsigned before = __atomic_load_n(&t->sig_caught[0], __ATOMIC_RELAXED);
        if (syscall(SYS_rt_tgsigqueueinfo, pid, tid, sig, &si) != 0)
            tgkill(pid, tid, sig);
        sigset_t blocked;
        for (int i = 0; i < 100 && __atomic_load_n(&t->sig_caught[0], __ATOMIC_RELAXED) == before &&
                        pthread_sigmask(SIG_BLOCK, NULL, &blocked) == 0 && !sigismember(&blocked, sig);
             i++)
            sched_yield();
    }
    errno = e;
}
