/* sync_semantics - mutex, condition variable and wait group (runtime/sync.c):
 * mutual exclusion across parks, FIFO hand-over, errors (EDEADLK, EPERM,
 * EBUSY, EAGAIN, ETIMEDOUT), a producer/consumer queue on a condition
 * variable with signal, broadcast and timed waits, and a wait group. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <growstack.h>

#define MS 1000000LL

static struct gs_mutex mu = GS_MUTEX_INIT;
static long inside, shared_counter;
static int grant_order[8], ngrant;

static void *locker(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < 20; i++) {
        E2E_EQ_LONG(gs_mutex_lock(&mu, GS_FOREVER), 0);
        E2E_EQ_LONG(inside, 0);
        inside++;
        long v = shared_counter;
        gs_sleep(10000); /* park while holding it */
        shared_counter = v + 1;
        inside--;
        E2E_EQ_LONG(gs_mutex_unlock(&mu), 0);
        gs_yield();
    }
    (void)id;
    return NULL;
}

static void *fifo_waiter(void *arg)
{
    E2E_EQ_LONG(gs_mutex_lock(&mu, GS_FOREVER), 0);
    grant_order[ngrant++] = (int)(long)arg;
    E2E_EQ_LONG(gs_mutex_unlock(&mu), 0);
    return NULL;
}

static void *timed_locker(void *arg)
{
    (void)arg;
    E2E_EQ_LONG(gs_mutex_lock(&mu, gs_deadline_after(2 * MS)), ETIMEDOUT);
    E2E_EQ_LONG(gs_mutex_lock(&mu, GS_NOWAIT), EAGAIN);
    E2E_EQ_LONG(gs_mutex_unlock(&mu), EPERM); /* not ours */
    return NULL;
}

static void mutex(void)
{
    gs_handle h[8];
    for (long i = 0; i < 8; i++)
        h[i] = gs_spawn(locker, (void *)i);
    for (int i = 0; i < 8; i++)
        E2E_EQ_LONG(gs_join(h[i], NULL), 0);
    E2E_EQ_LONG(shared_counter, 160);
    /* FIFO: waiters get it in the order they asked. */
    E2E_EQ_LONG(gs_mutex_lock(&mu, GS_FOREVER), 0);
    E2E_EQ_LONG(gs_mutex_lock(&mu, GS_FOREVER), EDEADLK);
    E2E_EQ_LONG(gs_mutex_trylock(&mu), EBUSY);
    for (long i = 0; i < 5; i++) {
        h[i] = gs_spawn(fifo_waiter, (void *)i);
        gs_yield(); /* it parks before the next one is spawned */
    }
    gs_handle t = gs_spawn(timed_locker, NULL);
    E2E_EQ_LONG(gs_join(t, NULL), 0);
    E2E_EQ_LONG(gs_mutex_unlock(&mu), 0);
    for (int i = 0; i < 5; i++)
        E2E_EQ_LONG(gs_join(h[i], NULL), 0);
    for (int i = 0; i < 5; i++)
        E2E_EQ_LONG(grant_order[i], i);
    E2E_EQ_LONG(gs_mutex_unlock(&mu), EPERM);
    E2E_EQ_LONG(gs_mutex_trylock(&mu), 0);
    E2E_EQ_LONG(gs_mutex_unlock(&mu), 0);
    E2E_EQ_LONG(gs_mutex_lock(NULL, GS_FOREVER), EINVAL);
    E2E_EQ_LONG(gs_mutex_lock(&mu, -3), EINVAL);
}

/* A bounded queue on a condition variable. */
#define QCAP 4
static struct gs_mutex qm = GS_MUTEX_INIT;
static struct gs_cond not_empty = GS_COND_INIT, not_full = GS_COND_INIT;
static long q[QCAP], qhead, qlen;
static long consumed_sum;
static int done_producing;

static void *producer(void *arg)
{
    long base = (long)arg;
    for (long i = 0; i < 100; i++) {
        gs_mutex_lock(&qm, GS_FOREVER);
        while (qlen == QCAP)
            E2E_EQ_LONG(gs_cond_wait(&not_full, &qm, GS_FOREVER), 0);
        q[(qhead + qlen++) % QCAP] = base + i;
        gs_cond_signal(&not_empty);
        gs_mutex_unlock(&qm);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    for (;;) {
        gs_mutex_lock(&qm, GS_FOREVER);
        while (qlen == 0 && !done_producing) {
            int rc = gs_cond_wait(&not_empty, &qm, gs_deadline_after(50 * MS));
            E2E_CHECK(rc == 0 || rc == ETIMEDOUT);
        }
        if (qlen == 0 && done_producing) {
            E2E_EQ_LONG(gs_mutex_unlock(&qm), 0); /* a wait returns holding it */
            return NULL;
        }
        consumed_sum += q[qhead];
        qhead = (qhead + 1) % QCAP;
        qlen--;
        gs_cond_signal(&not_full);
        E2E_EQ_LONG(gs_mutex_unlock(&qm), 0);
    }
}

static void cond(void)
{
    gs_handle p[3], c[4];
    for (int i = 0; i < 4; i++)
        c[i] = gs_spawn(consumer, NULL);
    for (long i = 0; i < 3; i++)
        p[i] = gs_spawn(producer, (void *)(i * 1000));
    for (int i = 0; i < 3; i++)
        E2E_EQ_LONG(gs_join(p[i], NULL), 0);
    gs_mutex_lock(&qm, GS_FOREVER);
    done_producing = 1;
    gs_cond_broadcast(&not_empty);
    gs_mutex_unlock(&qm);
    for (int i = 0; i < 4; i++)
        E2E_EQ_LONG(gs_join(c[i], NULL), 0);
    long want = 0;
    for (long b = 0; b < 3; b++)
        for (long i = 0; i < 100; i++)
            want += b * 1000 + i;
    E2E_EQ_LONG(consumed_sum, want);
    /* Errors: waiting without the mutex; a timed wait returns with it held. */
    struct gs_cond cv = GS_COND_INIT;
    E2E_EQ_LONG(gs_cond_wait(&cv, &qm, GS_FOREVER), EPERM);
    gs_mutex_lock(&qm, GS_FOREVER);
    gs_time t0 = gs_now();
    E2E_EQ_LONG(gs_cond_wait(&cv, &qm, gs_deadline_after(3 * MS)), ETIMEDOUT);
    E2E_CHECK(gs_now() - t0 >= 3 * MS);
    E2E_EQ_LONG(gs_mutex_unlock(&qm), 0); /* still ours */
    E2E_EQ_LONG(gs_cond_signal(NULL), EINVAL);
}

static struct gs_wg wg = GS_WG_INIT;
static int finished_work;

static void *work(void *arg)
{
    gs_sleep((gs_time)(long)arg * 100000);
    finished_work++;
    E2E_EQ_LONG(gs_wg_done(&wg), 0);
    return NULL;
}

static void waitgroup(void)
{
    E2E_EQ_LONG(gs_wg_wait(&wg, GS_FOREVER), 0); /* zero: at once */
    E2E_EQ_LONG(gs_wg_add(&wg, 10), 0);
    for (long i = 0; i < 10; i++)
        E2E_EQ_LONG(gs_detach(gs_spawn(work, (void *)i)), 0);
    E2E_EQ_LONG(gs_wg_wait(&wg, GS_NOWAIT), EAGAIN);
    E2E_EQ_LONG(gs_wg_wait(&wg, GS_FOREVER), 0);
    E2E_EQ_LONG(finished_work, 10);
    E2E_EQ_LONG(gs_wg_add(&wg, -1), EINVAL); /* below zero */
    E2E_EQ_LONG(gs_wg_add(&wg, 1), 0);
    E2E_EQ_LONG(gs_wg_wait(&wg, gs_deadline_after(MS)), ETIMEDOUT);
    E2E_EQ_LONG(gs_wg_done(&wg), 0);
}

int main(void)
{
    mutex();
    cond();
    waitgroup();
    return e2e_done("sync_semantics");
}
