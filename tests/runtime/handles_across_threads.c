/* handles_across_threads - a coroutine belongs to the thread that spawned it:
 * gs_join, gs_resume, gs_detach and gs_done of a handle made by another thread
 * fail with EXDEV and never touch a coroutine of the calling thread, even when
 * both threads' coroutines sit in the same slot with the same generation (the
 * first coroutine of every thread). A handle of a thread that has exited is
 * refused the same way by a thread started after it. */
#include <errno.h>
#include <growstack.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

static int failures;
#define CHECK(c)                                                                 \
    do {                                                                         \
        if (!(c)) {                                                              \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);         \
            failures++;                                                          \
        }                                                                        \
    } while (0)

static void *ret_arg(void *arg)
{
    return arg;
}

static gs_handle main_handle;   /* made by the main thread, not yet run   */
static gs_handle exited_handle; /* made (and joined) by a thread that ended */

static void *foreign_user(void *arg)
{
    (void)arg;
    /* This thread's own first coroutine: slot 0, like main_handle's. */
    gs_handle mine = gs_spawn(ret_arg, (void *)(uintptr_t)0x1234);
    CHECK(mine != 0);
    CHECK(mine != main_handle);

    void *res = (void *)1;
    CHECK(gs_join(main_handle, &res) == EXDEV);
    CHECK(res == (void *)1); /* untouched */
    CHECK(gs_resume(main_handle) == EXDEV);
    CHECK(gs_detach(main_handle) == EXDEV);
    errno = 0;
    CHECK(gs_done(main_handle) == -1 && errno == EXDEV);

    /* The own coroutine was neither run nor freed by the calls above. */
    CHECK(gs_done(mine) == 0);
    CHECK(gs_join(mine, &res) == 0 && res == (void *)(uintptr_t)0x1234);
    CHECK(gs_join(mine, &res) == ESRCH); /* joined: stale, on its own thread */
    errno = 0;
    CHECK(gs_done(mine) == -1 && errno == ESRCH);
    return NULL;
}

static void *short_lived(void *arg)
{
    (void)arg;
    exited_handle = gs_spawn(ret_arg, NULL);
    CHECK(exited_handle != 0);
    CHECK(gs_join(exited_handle, NULL) == 0);
    return NULL;
}

static void *late_user(void *arg)
{
    (void)arg;
    gs_handle mine = gs_spawn(ret_arg, (void *)(uintptr_t)7);
    void *res = NULL;
    int rc = gs_join(exited_handle, &res);
    CHECK(rc == EXDEV || rc == ESRCH);
    CHECK(res == NULL);
    CHECK(gs_join(mine, &res) == 0 && res == (void *)(uintptr_t)7);
    return NULL;
}

static void run_thread(void *(*fn)(void *))
{
    pthread_t th;
    CHECK(pthread_create(&th, NULL, fn, NULL) == 0);
    CHECK(pthread_join(th, NULL) == 0);
}

int main(void)
{
    main_handle = gs_spawn(ret_arg, (void *)(uintptr_t)0x5678);
    CHECK(main_handle != 0);
    run_thread(foreign_user);
    run_thread(short_lived);
    run_thread(late_user);

    /* The main thread's coroutine is still there, unrun, and joins normally. */
    void *res = NULL;
    CHECK(gs_done(main_handle) == 0);
    CHECK(gs_join(main_handle, &res) == 0 && res == (void *)(uintptr_t)0x5678);
    if (failures)
        return 1;
    puts("handles_across_threads: ok");
    return 0;
}
