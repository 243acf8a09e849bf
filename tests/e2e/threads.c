/* threads - pthread_create start routines of a gscc-built program run on a
 * coroutine with a growable stack, like main (runtime/pthread.c):
 *
 *  - four threads at once each recurse 10 MB deep (1000 frames of 10 KB; less
 *    under GROWSTACK_FORCE_MOVE, where every call copies the stack) and return a
 *    value that pthread_join sees; thrd_create the same;
 *  - pthread_exit deep in the recursion: the cleanup handler pushed in the
 *    coroutine runs, a key destructor runs outside any coroutine, pthread_join
 *    gets the value; the same from a coroutine the thread spawned; the same
 *    with side frames in several side chunks: they are freed, and a
 *    thread_local destructor that runs afterwards gets its own side frames;
 *  - cancellation of a thread blocked deep in the recursion: its cleanup handler
 *    runs and pthread_join gets PTHREAD_CANCELED;
 *  - a detached thread finishes its recursion;
 *  - opt-outs: a GS_NOSPLIT start routine, and GROWSTACK_THREADS=0 (a child
 *    process), run on the thread's own stack;
 *  - main's coroutine calls pthread_exit: the process ends with status 0 when
 *    the last thread does (a child process).
 *
 * With the argument "overflow", a thread recurses without end: the runtime must
 * report it; with "outer-cleanup", pthread_exit in a coroutine meets a cleanup
 * handler the thread's main coroutine pushed, which the runtime cannot run: a
 * fatal error naming both (tests/e2e/CMakeLists.txt runs these through run_expect.sh). The
 * fixed configuration runs with GROWSTACK_MAX=64m (10 MB does not fit the
 * default 8 MiB of a fixed stack). */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#include <pthread.h>
#include <threads.h>

#define FRAME 10000

static int depth_for_config(void)
{
    /* A move at every call copies the whole stack: O(depth^2) bytes. */
    return e2e_cfg().forced ? 100 : 1000;
}

__attribute__((noinline)) static void use_buffer(volatile char *buf)
{
    buf[0] = 1;
}

/* 10 KB per level; the sum of the levels checks every frame on the way up. */
__attribute__((noinline)) static long down(int i, long salt, void (*at_bottom)(long))
{
    volatile char buf[FRAME];
    buf[FRAME - 1] = (char)i;
    use_buffer(buf);
    long r = i > 0 ? down(i - 1, salt, at_bottom) : (at_bottom ? (at_bottom(salt), 0) : 0);
    return r + i + salt + (buf[FRAME - 1] == (char)i ? 0 : 1000000000L);
}

static long expect_sum(int depth, long salt)
{
    return (long)depth * (depth + 1) / 2 + (long)(depth + 1) * salt;
}

/* ---- deep recursion, results ------------------------------------------------ */

static void *deep_thread(void *arg)
{
    long salt = (long)(intptr_t)arg;
    E2E_CHECK(gs_in_coroutine());
    int d = depth_for_config();
    long r = down(d, salt, NULL);
    E2E_EQ_LONG(r, expect_sum(d, salt));
    return (void *)(intptr_t)(r ^ 0x5a5a);
}

static int deep_thrd(void *arg)
{
    E2E_CHECK(gs_in_coroutine());
    int d = depth_for_config();
    return (int)(down(d, (long)(intptr_t)arg, NULL) & 0x7fffffff);
}

static void check_deep(void)
{
    enum { N = 4 };
    pthread_t th[N];
    for (int i = 0; i < N; i++)
        E2E_EQ_LONG(pthread_create(&th[i], NULL, deep_thread, (void *)(intptr_t)(i + 1)), 0);
    for (int i = 0; i < N; i++) {
        void *res = NULL;
        E2E_EQ_LONG(pthread_join(th[i], &res), 0);
        E2E_EQ_LONG((intptr_t)res, expect_sum(depth_for_config(), i + 1) ^ 0x5a5a);
    }
    thrd_t t;
    int res = -1;
    E2E_EQ_LONG(thrd_create(&t, deep_thrd, (void *)(intptr_t)7), thrd_success);
    E2E_EQ_LONG(thrd_join(t, &res), thrd_success);
    E2E_EQ_LONG(res, expect_sum(depth_for_config(), 7) & 0x7fffffff);
}

/* ---- pthread_exit ---------------------------------------------------------- */

static pthread_key_t key;
static volatile int cleanup_ran, destructor_ran, destructor_in_coroutine;

static void key_destructor(void *v)
{
    (void)v;
    destructor_ran++;
    destructor_in_coroutine = gs_in_coroutine();
}

static void cleanup(void *arg)
{
    cleanup_ran += (int)(intptr_t)arg;
}

static void exit_now(long salt)
{
    pthread_exit((void *)(intptr_t)(salt * 3));
}

static void *exiting_thread(void *arg)
{
    E2E_EQ_LONG(pthread_setspecific(key, (void *)1), 0);
    long r = 0;
    pthread_cleanup_push(cleanup, (void *)10);
    r = down(depth_for_config() / 2, (long)(intptr_t)arg, exit_now);
    pthread_cleanup_pop(0);
    return (void *)r; /* not reached */
}

static void *exiting_coroutine(void *arg)
{
    return (void *)(intptr_t)down(20, (long)(intptr_t)arg, exit_now);
}

/* pthread_exit in a coroutine the thread's main coroutine spawned and joins. */
static void *exiting_from_child_coroutine(void *arg)
{
    E2E_EQ_LONG(pthread_setspecific(key, (void *)1), 0);
    gs_handle h = gs_spawn(exiting_coroutine, arg);
    E2E_CHECK(h != 0);
    gs_join(h, NULL);
    return NULL; /* not reached */
}

static void check_exit(void *(*fn)(void *), int want_cleanup)
{
    cleanup_ran = destructor_ran = 0;
    destructor_in_coroutine = -1;
    pthread_t th;
    void *res = NULL;
    E2E_EQ_LONG(pthread_create(&th, NULL, fn, (void *)(intptr_t)5), 0);
    E2E_EQ_LONG(pthread_join(th, &res), 0);
    E2E_EQ_LONG((intptr_t)res, 15);
    E2E_EQ_LONG(cleanup_ran, want_cleanup);
    E2E_EQ_LONG(destructor_ran, 1);
    E2E_EQ_LONG(destructor_in_coroutine, 0);
}

/* ---- pthread_exit with side frames -------------------------------------------- */

/* pthread_exit while the coroutine's side stack holds frames in several chunks
 * (each level's `local` escapes to a global: docs/protocol.md 7): the
 * coroutine's side chunks are freed with it, and the thread's own side stack
 * is current again (gs_coro_abandon). Instrumented code that runs after the
 * unwind and before the runtime's thread exit (a thread_local destructor:
 * glibc runs them before any key destructor) gets side frames of its own, not
 * frames right below the exited coroutine's newest one, in a freed chunk. */
int __cxa_thread_atexit_impl(void (*fn)(void *), void *obj, void *dso);
extern void *__dso_handle;

static volatile char *volatile side_sink;
static volatile uintptr_t side_deepest, side_dtor;

__attribute__((noinline)) static long side_down(int i)
{
    volatile char local[64];
    local[0] = (char)i;
    side_sink = local;
    if (i == 0) {
        side_deepest = (uintptr_t)local;
        pthread_exit((void *)(intptr_t)42);
    }
    return side_down(i - 1) + local[0];
}

static void side_tls_dtor(void *arg)
{
    (void)arg;
    volatile char local[64];
    local[0] = 1;
    side_sink = local;
    side_dtor = (uintptr_t)local;
}

static void *side_exiting_thread(void *arg)
{
    (void)arg;
    E2E_EQ_LONG(__cxa_thread_atexit_impl(side_tls_dtor, NULL, &__dso_handle), 0);
    return (void *)side_down(200); /* 200 side frames of 64 bytes: several chunks */
}

static void check_exit_side(void)
{
    side_deepest = side_dtor = 0;
    struct gs_stats before = e2e_stats();
    pthread_t th;
    void *res = NULL;
    E2E_EQ_LONG(pthread_create(&th, NULL, side_exiting_thread, NULL), 0);
    E2E_EQ_LONG(pthread_join(th, &res), 0);
    E2E_EQ_LONG((intptr_t)res, 42);
    struct gs_stats d = e2e_stats_since(&before);
    E2E_CHECK(side_deepest != 0 && side_dtor != 0);
    E2E_CHECK_MSG(!(side_dtor < side_deepest && side_deepest - side_dtor <= 4096),
                  "the thread_local destructor's side frame %p lies right below the exited "
                  "coroutine's newest one %p: __gs_side still pointed into its freed chunk",
                  (void *)side_dtor, (void *)side_deepest);
    E2E_CHECK_MSG(d.side_bytes == 0, "the exited thread still owns %lld bytes of side stack",
                  (long long)d.side_bytes);
}

/* ---- cancellation ------------------------------------------------------------ */

static int cancel_pipe[2];
static volatile int blocked;

static void block_forever(long salt)
{
    (void)salt;
    char c;
    __atomic_store_n(&blocked, 1, __ATOMIC_RELEASE);
    for (;;)
        (void)!read(cancel_pipe[0], &c, 1); /* a cancellation point */
}

static void *cancelled_thread(void *arg)
{
    long r = 0;
    pthread_cleanup_push(cleanup, (void *)100);
    r = down(depth_for_config() / 2, (long)(intptr_t)arg, block_forever);
    pthread_cleanup_pop(0);
    return (void *)r;
}

static void check_cancel(void)
{
    cleanup_ran = 0;
    blocked = 0;
    E2E_EQ_LONG(pipe(cancel_pipe), 0);
    pthread_t th;
    E2E_EQ_LONG(pthread_create(&th, NULL, cancelled_thread, NULL), 0);
    while (!__atomic_load_n(&blocked, __ATOMIC_ACQUIRE))
        usleep(1000);
    E2E_EQ_LONG(pthread_cancel(th), 0);
    void *res = NULL;
    E2E_EQ_LONG(pthread_join(th, &res), 0);
    E2E_CHECK(res == PTHREAD_CANCELED);
    E2E_EQ_LONG(cleanup_ran, 100);
    close(cancel_pipe[0]);
    close(cancel_pipe[1]);
}

/* ---- detached ------------------------------------------------------------------ */

static volatile long detached_result;

static void *detached_thread(void *arg)
{
    (void)arg;
    __atomic_store_n(&detached_result, down(depth_for_config(), 3, NULL), __ATOMIC_RELEASE);
    return NULL;
}

static void check_detached(void)
{
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_t th;
    E2E_EQ_LONG(pthread_create(&th, &a, detached_thread, NULL), 0);
    pthread_attr_destroy(&a);
    while (!__atomic_load_n(&detached_result, __ATOMIC_ACQUIRE))
        usleep(1000);
    E2E_EQ_LONG(detached_result, expect_sum(depth_for_config(), 3));
}

/* ---- opt-outs ------------------------------------------------------------------ */

GS_NOSPLIT static void *plain_thread(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)(gs_in_coroutine() + 40);
}

static void *reports_coroutine(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)(gs_in_coroutine() + 40);
}

static long run_thread(void *(*fn)(void *))
{
    pthread_t th;
    void *res = NULL;
    E2E_EQ_LONG(pthread_create(&th, NULL, fn, NULL), 0);
    E2E_EQ_LONG(pthread_join(th, &res), 0);
    return (long)(intptr_t)res;
}

static void check_opt_outs(void)
{
    E2E_EQ_LONG(run_thread(plain_thread), 40);
    E2E_EQ_LONG(run_thread(reports_coroutine), 41);
    const char *args[] = {"threads", "in-coroutine", NULL};
    const char *env[] = {"GROWSTACK_THREADS=0", NULL};
    struct e2e_child c;
    e2e_run_self(args, env, NULL, &c);
    E2E_CHILD_EXPECT(&c, 0, "40\n", "");
    e2e_child_free(&c);
    const char *env_on[] = {"GROWSTACK_THREADS=1", NULL};
    e2e_run_self(args, env_on, NULL, &c);
    E2E_CHILD_EXPECT(&c, 0, "41\n", "");
    e2e_child_free(&c);
}

/* ---- overflow ---------------------------------------------------------------- */

static volatile long stop_at = -1;

__attribute__((noinline)) static long endless(long d)
{
    volatile char pad[1000];
    pad[d & 511] = (char)d;
    if (d == stop_at)
        return 0;
    return endless(d + 1) + pad[d & 511];
}

static void *endless_thread(void *arg)
{
    (void)arg;
    return (void *)endless(0);
}

/* ---- pthread_exit from main ---------------------------------------------------- */

static void *late_worker(void *arg)
{
    (void)arg;
    usleep(20000);
    printf("worker done %ld\n", down(50, 1, NULL));
    return NULL;
}

/* main's coroutine calls pthread_exit: the process lives on until the worker
 * ends, then exits with status 0. */
static int main_exits(void)
{
    pthread_t th;
    if (pthread_create(&th, NULL, late_worker, NULL))
        return 3;
    pthread_exit(NULL);
}

static void check_main_exit(void)
{
    const char *args[] = {"threads", "main-exit", NULL};
    struct e2e_child c;
    e2e_run_self(args, NULL, NULL, &c);
    char want[64];
    snprintf(want, sizeof want, "worker done %ld\n", expect_sum(50, 1));
    E2E_CHILD_EXPECT(&c, 0, want, "");
    e2e_child_free(&c);
}

/* ---- a cleanup handler in an outer coroutine ------------------------------------ */

static void *inner_exits(void *arg)
{
    (void)arg;
    pthread_exit(NULL);
}

/* The thread's main coroutine pushes a handler, then joins a coroutine that
 * calls pthread_exit: the handler lies on another coroutine's stack. */
static void *outer_pushes(void *arg)
{
    (void)arg;
    pthread_cleanup_push(cleanup, (void *)1);
    gs_join(gs_spawn(inner_exits, NULL), NULL);
    pthread_cleanup_pop(0);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "outer-cleanup") == 0) {
        run_thread(outer_pushes);
        return 4;
    }
    if (argc == 2 && strcmp(argv[1], "main-exit") == 0)
        return main_exits();
    if (argc == 2 && strcmp(argv[1], "in-coroutine") == 0) {
        printf("%ld\n", run_thread(reports_coroutine));
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "overflow") == 0) {
        run_thread(endless_thread);
        fprintf(stderr, "threads: the endless recursion returned\n");
        return 4;
    }
    E2E_EQ_LONG(pthread_key_create(&key, key_destructor), 0);
    check_deep();
    check_exit(exiting_thread, 10);
    check_exit(exiting_from_child_coroutine, 0);
    check_exit_side();
    check_cancel();
    check_detached();
    check_opt_outs();
    check_main_exit();
    return e2e_done("threads");
}
