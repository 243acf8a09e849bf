/* libc_callbacks - instrumented code called back by uninstrumented code:
 * qsort and bsearch comparators (they run on the system stack), a pthread's
 * start routine (a plain thread stack, guard 0) that also runs coroutines of
 * its own, and an asynchronous signal handler installed with SA_ONSTACK that
 * interrupts instrumented code at arbitrary points. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <growstack.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

__attribute__((noinline)) static long recurse(int depth)
{
    volatile char pad[96];
    const int ix = depth & 7; /* not constant: the array stays whole */
    pad[ix] = 1;
    return depth <= 0 ? 0 : recurse(depth - 1) + pad[ix];
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    /* Some real work inside the callback. */
    if (recurse(20) != 20)
        abort();
    return (x > y) - (x < y);
}

static void check_sort(void *arg)
{
    (void)arg;
    long v[200];
    for (int i = 0; i < 200; i++)
        v[i] = (i * 7919L) % 200 - 100;
    qsort(v, 200, sizeof v[0], cmp_long);
    for (int i = 0; i < 200; i++)
        E2E_EQ_LONG(v[i], i - 100);
    long key = 42;
    long *hit = bsearch(&key, v, 200, sizeof v[0], cmp_long);
    E2E_CHECK(hit && hit - v == 142);
}

static void *coroutine_body(void *arg)
{
    return (void *)recurse((int)(long)arg);
}

static void *thread_main(void *arg)
{
    long depth = (long)arg;
    long r = recurse((int)depth); /* on the thread's own stack */
    gs_handle h = gs_spawn(coroutine_body, (void *)(depth * 2));
    void *res = NULL;
    if (!h || gs_join(h, &res) != 0)
        return (void *)-1L;
    return (void *)(r + (long)res);
}

static volatile sig_atomic_t ticks;

static void on_alarm(int sig)
{
    (void)sig;
    if (recurse(50) == 50)
        ticks++;
}

int main(void)
{
    e2e_at_depths(check_sort, NULL);

    pthread_t th[3];
    for (long i = 0; i < 3; i++)
        E2E_CHECK(pthread_create(&th[i], NULL, thread_main, (void *)(1000 * (i + 1))) == 0);
    for (long i = 0; i < 3; i++) {
        void *res;
        E2E_CHECK(pthread_join(th[i], &res) == 0);
        E2E_EQ_LONG((long)res, 3000 * (i + 1));
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_ONSTACK | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    E2E_CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
    struct itimerval it = {{0, 500}, {0, 500}};
    E2E_CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
    long rounds = 0;
    while (ticks < 200 && rounds < 10000000) {
        E2E_EQ_LONG(recurse((int)(rounds % 3000)), rounds % 3000);
        rounds++;
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    E2E_CHECK_MSG(ticks >= 200, "only %d timer signals handled", (int)ticks);
    return e2e_done("libc_callbacks");
}
