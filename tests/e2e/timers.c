/* timers - deadlines (runtime/timer.c, wait.c): sleepers wake in deadline
 * order and never early; a sleeping coroutine does not stop the others; the C
 * library's sleeps (sleep, usleep, nanosleep, clock_nanosleep) park in
 * transparent mode and keep their results and errors; deadlines that pass while
 * parked, that have passed already, and bad values (negative, invalid
 * timespecs) give errors, never a hang. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <growstack.h>
#include <time.h>

#define SLEEPERS 200
#define MS 1000000LL

static gs_time base;
static int woke[SLEEPERS], nwoke;
static gs_time late[SLEEPERS];
static int parked[SLEEPERS]; /* its deadline was still ahead when it slept */

static void *sleeper(void *arg)
{
    long i = (long)arg;
    gs_time deadline = base + (gs_time)(i % 20) * MS + (gs_time)i * 1000;
    parked[i] = gs_now() < deadline;
    E2E_EQ_LONG(gs_sleep_until(deadline), 0);
    late[i] = gs_now() - deadline;
    woke[nwoke++] = (int)i;
    return NULL;
}

static void order(void)
{
    base = gs_now() + 5 * MS;
    gs_handle h[SLEEPERS];
    /* Spawned in a scrambled order; deadlines are (i % 20) ms + i us. */
    for (long k = 0; k < SLEEPERS; k++) {
        long i = (k * 73) % SLEEPERS;
        h[i] = gs_spawn(sleeper, (void *)i);
    }
    for (int i = 0; i < SLEEPERS; i++)
        E2E_EQ_LONG(gs_join(h[i], NULL), 0);
    E2E_EQ_LONG(nwoke, SLEEPERS);
    /* The order holds among the sleepers that parked. One that first ran after
     * its deadline (a loaded machine can keep the process off the CPU past
     * base) returns at once, in the order the sleepers started. */
    int sorted[SLEEPERS], n = 0;
    for (int k = 0; k < SLEEPERS; k++)
        if (parked[woke[k]])
            sorted[n++] = woke[k];
    for (int k = 1; k < n; k++) {
        int p = sorted[k - 1], q = sorted[k];
        gs_time dp = (gs_time)(p % 20) * MS + (gs_time)p * 1000,
                dq = (gs_time)(q % 20) * MS + (gs_time)q * 1000;
        E2E_CHECK_MSG(dp <= dq, "woke %d (deadline +%lld) before %d (+%lld)", p, (long long)dp,
                      q, (long long)dq);
    }
    for (int i = 0; i < SLEEPERS; i++)
        E2E_CHECK_MSG(late[i] >= 0, "sleeper %d woke %lld ns early", i, (long long)-late[i]);
}

static int ticks;
static void *ticker(void *arg)
{
    int *stop = arg;
    while (!*stop) {
        ticks++;
        gs_yield();
    }
    return NULL;
}

/* While main sleeps, another coroutine runs. At least one tick: it is ready
 * when main parks. (Not "more than 10": a loaded 2-core machine can keep the
 * whole process off the CPU for the 10 ms, and then the sleep has expired by
 * the time the ticker first yields; that made this test flaky under load.) */
static void others_run(void)
{
    int stop = 0;
    gs_handle h = gs_spawn(ticker, &stop);
    gs_time t0 = gs_now();
    E2E_EQ_LONG(gs_sleep(10 * MS), 0);
    E2E_CHECK(gs_now() - t0 >= 10 * MS);
    E2E_CHECK_MSG(ticks > 0, "ticks %d", ticks);
    stop = 1;
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    /* The C library's calls too. */
    ticks = 0;
    stop = 0;
    h = gs_spawn(ticker, &stop);
    t0 = gs_now();
    E2E_EQ_LONG(usleep(10000), 0);
    E2E_CHECK(gs_now() - t0 >= 10 * MS);
    E2E_CHECK_MSG(ticks > 0, "ticks during usleep %d", ticks);
    stop = 1;
    E2E_EQ_LONG(gs_join(h, NULL), 0);
}

static void libc_sleeps(void)
{
    gs_time t0 = gs_now();
    struct timespec req = {0, 3 * MS}, rem = {7, 7};
    E2E_EQ_LONG(nanosleep(&req, &rem), 0);
    E2E_CHECK(gs_now() - t0 >= 3 * MS);
    E2E_EQ_LONG(rem.tv_sec, 7); /* rem is written only on EINTR */
    /* Invalid: EINVAL, at once. */
    errno = 0;
    req.tv_nsec = 1000000000;
    E2E_EQ_LONG(nanosleep(&req, NULL), -1);
    E2E_EQ_LONG(errno, EINVAL);
    req = (struct timespec){-1, 0};
    errno = 0;
    E2E_EQ_LONG(nanosleep(&req, NULL), -1);
    E2E_EQ_LONG(errno, EINVAL);
    /* clock_nanosleep returns the error number. */
    req = (struct timespec){0, -1};
    E2E_EQ_LONG(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL), EINVAL);
    /* Relative, and absolute on both clocks. */
    t0 = gs_now();
    req = (struct timespec){0, 2 * MS};
    E2E_EQ_LONG(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL), 0);
    E2E_CHECK(gs_now() - t0 >= 2 * MS);
    struct timespec abs;
    clock_gettime(CLOCK_MONOTONIC, &abs);
    abs.tv_nsec += 2 * MS;
    if (abs.tv_nsec >= 1000000000) {
        abs.tv_sec++;
        abs.tv_nsec -= 1000000000;
    }
    E2E_EQ_LONG(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL), 0);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    E2E_CHECK(now.tv_sec > abs.tv_sec || (now.tv_sec == abs.tv_sec && now.tv_nsec >= abs.tv_nsec));
    clock_gettime(CLOCK_REALTIME, &abs);
    abs.tv_sec += 0;
    abs.tv_nsec += 2 * MS;
    if (abs.tv_nsec >= 1000000000) {
        abs.tv_sec++;
        abs.tv_nsec -= 1000000000;
    }
    E2E_EQ_LONG(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &abs, NULL), 0);
    clock_gettime(CLOCK_REALTIME, &now);
    E2E_CHECK(now.tv_sec > abs.tv_sec || (now.tv_sec == abs.tv_sec && now.tv_nsec >= abs.tv_nsec));
    /* An absolute time in the past: at once. */
    abs.tv_sec -= 100;
    E2E_EQ_LONG(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &abs, NULL), 0);
    E2E_EQ_LONG(sleep(0), 0);
    E2E_EQ_LONG(usleep(0), 0);
}

static void values(void)
{
    E2E_EQ_LONG(gs_sleep(-1), EINVAL);
    E2E_EQ_LONG(gs_sleep_until(-5), EINVAL);
    E2E_EQ_LONG(gs_sleep(0), 0);
    E2E_EQ_LONG(gs_sleep_until(gs_now() - 1000), 0); /* passed: at once */
    E2E_EQ_LONG(gs_deadline_after(-1), -1);
    E2E_EQ_LONG(gs_deadline_after(GS_FOREVER), GS_FOREVER); /* saturates */
    E2E_CHECK(gs_now() > 0);
}

int main(void)
{
    values();
    order();
    others_run();
    libc_sleeps();
    return e2e_done("timers");
}
