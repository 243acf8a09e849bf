/* side_frames - locals whose address escapes live in side frames (docs/
 * protocol.md 7): their addresses stay valid and unchanged while the stack
 * around them grows, splits and moves.
 *
 *  1. deep recursion where every level publishes the address of a local in a
 *     global table (an escape) and links it into a list; at the bottom every
 *     level's local is checked through the table, and on the way back each
 *     level checks that its local's address did not change (side stack:
 *     never moved) while the frames in between moved (contiguous mode);
 *  2. a side-frame function called in a loop from a frame without one: the
 *     side stack's first chunk is reused, not allocated per call;
 *  3. a qsort comparator with escaping locals: a callback run on the system
 *     stack from a coroutine deep in recursion, whose side frames go on the
 *     coroutine's side stack between the coroutine's own;
 *  4. a signal handler with escaping locals, raised from a coroutine inside a
 *     side frame: it gets the signal area, and the coroutine's side frames
 *     are intact afterwards;
 *  5. a thread the program creates runs the deep recursion of 1 (on its own
 *     stack or a coroutine, whichever gscc gives it); its side chunks are gone
 *     when it has exited. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#include <pthread.h>
#include <signal.h>

/* ---- 1. deep recursion ---------------------------------------------------- */

#define DEPTH 4000
static long *volatile table[DEPTH + 1];
static long moved_addresses, bad_values;

struct cell {
    struct cell *up;
    long value;
};

__attribute__((noinline)) static long publish(struct cell *up, int d, int max)
{
    struct cell me = {up, d * 31L + 7};
    volatile char pad[48]; /* a stack frame of its own, moved with the stack */
    const int ix = d & 7;  /* not constant: the array stays whole */
    pad[ix] = (char)d;
    table[d] = &me.value;
    long *before = table[d];
    long r;
    if (d == max) {
        long n = 0;
        for (struct cell *c = &me; c; c = c->up, n++)
            if (c->value != (max - n) * 31L + 7)
                bad_values++;
        for (int i = 0; i <= max; i++)
            if (*table[i] != i * 31L + 7)
                bad_values++;
        r = n;
    } else {
        r = publish(&me, d + 1, max);
    }
    if (&me.value != before || table[d] != before)
        moved_addresses++;
    if (me.value != d * 31L + 7 || me.up != up || pad[ix] != (char)d)
        bad_values++;
    return r;
}

static void *deep_body(void *arg)
{
    return (void *)publish(NULL, 0, (int)(long)arg);
}

/* ---- 2. a loop --------------------------------------------------------------- */

static int *volatile loop_sink;

__attribute__((noinline)) static int with_escape(int i)
{
    int x = i;
    loop_sink = &x;
    return *loop_sink;
}

static void *loop_body(void *arg)
{
    long n = (long)arg, s = 0;
    for (long i = 0; i < n; i++)
        s += with_escape((int)(i & 1023));
    return (void *)s;
}

/* ---- 3. qsort comparator --------------------------------------------------- */

static const int *volatile cmp_seen;
static long cmp_calls;

static int compare(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    cmp_seen = &x; /* x escapes: a side frame on the system stack */
    cmp_calls++;
    return (*cmp_seen > y) - (*cmp_seen < y);
}

__attribute__((noinline)) static long sort_at(int d, int *v, int n)
{
    long guard = d;
    long *volatile mine = &guard; /* a side frame below the comparator's */
    if (d > 0) {
        volatile char pad[64];
        const int ix = d & 7; /* not constant: the array stays whole */
        pad[ix] = 1;
        return sort_at(d - 1, v, n) + pad[ix] - 1 + (*mine != d);
    }
    qsort(v, (size_t)n, sizeof *v, compare);
    return *mine != 0;
}

static void *sort_body(void *arg)
{
    int v[200];
    for (int i = 0; i < 200; i++)
        v[i] = (i * 7919) % 200;
    long bad = sort_at((int)(long)arg, v, 200);
    for (int i = 0; i < 200; i++)
        bad += v[i] != i;
    return (void *)bad;
}

/* ---- 4. signal handler ----------------------------------------------------- */

static volatile long *volatile handler_local;
static volatile int handler_ok;

static void on_usr1(int sig)
{
    volatile long local = sig * 1000L;
    handler_local = &local; /* escapes: the handler has a side frame */
    handler_ok = *handler_local == SIGUSR1 * 1000L;
}

static void *signal_body(void *arg)
{
    (void)arg;
    long mine = 4242;
    long *volatile published = &mine; /* this frame has a side frame */
    raise(SIGUSR1);                   /* the handler runs during the call */
    long bad = *published != 4242 || published != &mine;
    bad += handler_local == (volatile long *)&mine;
    return (void *)bad;
}

/* ---- 5. a thread ----------------------------------------------------------- */

static void *thread_body(void *arg)
{
    return (void *)publish(NULL, 0, (int)(long)arg);
}

static long run(void *(*fn)(void *), long arg)
{
    gs_handle h = gs_spawn(fn, (void *)arg);
    E2E_CHECK(h != 0);
    void *r = NULL;
    E2E_EQ_LONG(gs_join(h, &r), 0);
    return (long)r;
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    int depth = m.forced ? 600 : DEPTH;

    struct gs_stats t0 = e2e_stats();
    E2E_EQ_LONG(run(deep_body, depth), depth + 1);
    struct gs_stats d = e2e_stats_since(&t0);
    e2e_print_growth("side_frames: deep", &d);
    E2E_EQ_LONG(bad_values, 0);
    E2E_EQ_LONG(moved_addresses, 0);
    E2E_CHECK_MSG(d.side_chunks >= 3, "%llu side chunks", (unsigned long long)d.side_chunks);
    if (m.contiguous) {
        E2E_CHECK(d.moves > 0);
        if (!m.forced)
            E2E_EQ_LONG(d.pins, 0);
    }
    if (m.segmented)
        E2E_CHECK(d.splits > 0);

    t0 = e2e_stats();
    long s = run(loop_body, 100000);
    d = e2e_stats_since(&t0);
    long want = 0;
    for (long i = 0; i < 100000; i++)
        want += i & 1023;
    E2E_EQ_LONG(s, want);
    E2E_CHECK_MSG(d.side_chunks <= 1, "%llu side chunks for 100000 calls in a loop",
                  (unsigned long long)d.side_chunks);

    E2E_EQ_LONG(run(sort_body, m.forced ? 100 : 1000), 0);
    E2E_CHECK(cmp_calls > 200);

    signal(SIGUSR1, on_usr1);
    E2E_EQ_LONG(run(signal_body, 0), 0);
    E2E_CHECK(handler_ok);

    t0 = e2e_stats();
    pthread_t th;
    void *r = NULL;
    E2E_EQ_LONG(pthread_create(&th, NULL, thread_body, (void *)(long)(depth / 4)), 0);
    E2E_EQ_LONG(pthread_join(th, &r), 0);
    E2E_EQ_LONG((long)r, depth / 4 + 1);
    d = e2e_stats_since(&t0);
    E2E_EQ_LONG(bad_values, 0);
    E2E_EQ_LONG(moved_addresses, 0);
    E2E_CHECK(d.side_chunks > 0);
    E2E_CHECK_MSG(d.side_bytes == 0, "the exited thread still owns %lld bytes of side stack",
                  (long long)d.side_bytes);
    return e2e_done("side_frames");
}
