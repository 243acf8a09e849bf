/* thread.c - the thread context (see thread.h). */
#include <pthread.h>
#include <signal.h>

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

void gs_thread_release_signals(struct gs_thread *t)
{
    if (!t->sig_held_n)
        return;
    sigset_t held = t->sig_held;
    sigemptyset(&t->sig_held);
    t->sig_held_n = 0;
    pthread_sigmask(SIG_UNBLOCK, &held, NULL);
}
