/* pthread.c - thread start routines of a gscc-built program on coroutines.
 *
 * gscc links executables with -Wl,--wrap=pthread_create and --wrap=thrd_create:
 * every call to them in the program's objects and archives reaches the wrappers
 * below, which start the thread on a trampoline that runs the start routine as
 * the thread's main coroutine (gs_api_run_main), exactly as __wrap_main runs
 * main. The thread's own stack then holds only the runtime's frames and the
 * calls that leave instrumented code (libc, callbacks): the start routine's
 * recursion grows a coroutine stack like main's.
 *
 * Not on a coroutine (the start routine runs on the thread's own stack, as
 * without growstack): GROWSTACK_THREADS=0; a start routine that is not
 * instrumented (plain C, or marked GS_NOSPLIT: the per-routine opt-out). Such a
 * thread still gets the runtime's thread state (its signal stack), so that an
 * overflow of its stack is reported. Threads created by shared libraries or by
 * libc itself do not go through here (the wrap applies to the executable's link).
 *
 * The thread's result is the start routine's return value; pthread_exit and
 * cancellation inside the coroutine end the thread as usual (cleanup handlers
 * pushed in the coroutine run, then TLS and key destructors, then pthread_join
 * sees the value): gs_api_run_main explains how.
 *
 * This file is linked only through __wrap_pthread_create/__wrap_thrd_create, so
 * programs linked without the wraps never refer to the __real_ names.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>

#include "api.h"
#include "config.h"
#include "fatal.h"
#include "mem.h"
#include "records.h"

int __real_pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*start)(void *),
                          void *arg);
int __wrap_pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*start)(void *),
                          void *arg);
int __real_thrd_create(thrd_t *thr, thrd_start_t func, void *arg);
int __wrap_thrd_create(thrd_t *thr, thrd_start_t func, void *arg);

/* What the new thread runs; allocated by the creator, freed by the thread. */
struct start_box {
    void *fn;
    void *arg;
    int on_coroutine; /* else on the thread's own stack, as without growstack */
};

/* Whether a start routine goes on a coroutine (see the top of the file). */
static int wrapped(void *fn)
{
    gs_config_ensure();
    return gs_cfg.threads && fn && gs_records_instrumented((uintptr_t)fn);
}

static struct start_box *box_new(void *fn, void *arg)
{
    struct start_box *b = gs_mem_malloc(sizeof *b);
    if (b) {
        b->fn = fn;
        b->arg = arg;
        b->on_coroutine = wrapped(fn);
    }
    return b;
}

/* A thread that is not put on a coroutine still gets the runtime's thread state:
 * its signal stack, so that an overflow of its own stack is reported
 * (overflow.c) rather than killing the process silently. */
static uintptr_t run_box(void *p)
{
    struct start_box b = *(struct start_box *)p;
    gs_mem_free(p);
    if (b.on_coroutine)
        return gs_api_run_main(b.fn, (uintptr_t)b.arg, 0, 0, "thread");
    gs_api_thread();
    return (uintptr_t)((void *(*)(void *))b.fn)(b.arg);
}

static void *pthread_entry(void *p)
{
    return (void *)run_box(p);
}

/* thrd_start_t returns int: the result holds it in its low 32 bits. */
static int thrd_entry(void *p)
{
    return (int)run_box(p);
}

int __wrap_pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*start)(void *),
                          void *arg)
{
    if (!start)
        return __real_pthread_create(th, attr, start, arg);
    struct start_box *b = box_new((void *)start, arg);
    if (!b)
        return EAGAIN; /* pthread_create's "insufficient resources" */
    int rc = __real_pthread_create(th, attr, pthread_entry, b);
    if (rc)
        gs_mem_free(b);
    return rc;
}

int __wrap_thrd_create(thrd_t *thr, thrd_start_t func, void *arg)
{
    if (!func)
        return __real_thrd_create(thr, func, arg);
    struct start_box *b = box_new((void *)func, arg);
    if (!b)
        return thrd_nomem;
    int rc = __real_thrd_create(thr, thrd_entry, b);
    if (rc != thrd_success)
        gs_mem_free(b);
    return rc;
}
