/* boehm_gc.c - a program that uses the Boehm-Demers-Weiser collector, libgc
 * (docs/usage.md section 5, runtime/gcroots.h).
 *
 * libgc keeps an object while a root points to it: the data of loaded objects
 * and each thread's stack from its stack pointer to its base. A gscc-built
 * program's locals live elsewhere: on coroutine stacks, on side stacks (locals
 * whose address escapes) and in heap blocks (VLAs too large for the stack).
 * Checked here, with collections forced at the bottom of every dive:
 *  - lists that only locals hold, at every depth of recursions that grow the
 *    stack (moves, segments): a local kept in a register or the frame, one
 *    whose address escapes, a VLA of pointers too large for a small stack;
 *  - coroutines suspended deep in such a recursion while others collect,
 *    resumed afterwards;
 *  - a second thread (created through gc.h's GC_pthread_create) that
 *    allocates and collects at the same time, so that the main thread is
 *    stopped for collections inside coroutines and inside calls that left
 *    instrumented code (qsort, whose comparator allocates, on the thread's
 *    own stack);
 *  - lists whose only reference waits in a buffered channel (gs_chan_send)
 *    across a collection;
 *  - two coroutines passing lists through unbuffered channels while the other
 *    thread collects: stops in the middle of switches;
 *  - the heap stays bounded: the garbage is collected.
 * Every node of every list is checked: a node freed while in use is reused by
 * the next allocations. Without runtime/gcroots.c the first check fails in
 * every configuration ("list 40000 at depth 0 corrupt"). Probes of the same
 * shapes, 2026-12-06: two threads allocating while main runs on its coroutine
 * died of SIGSEGV in the collector (scanning from the signal stack up to the
 * thread's stack base); eight objects held only by a channel's buffer came
 * back with 56 of their 64 words overwritten.
 */
#define GC_THREADS
#include "e2e.h"
#include "e2e_stats.h"

#include <gc.h>
#include <growstack.h>
#include <pthread.h>

struct node {
    struct node *next;
    long v;
    long tag;
};

static long tag_of(long seed, long v)
{
    return seed * 1000003 + v * 7919;
}

static struct node *build(long seed, int n)
{
    struct node *h = NULL;
    for (int i = 0; i < n; i++) {
        struct node *x = GC_MALLOC(sizeof *x);
        E2E_CHECK(x);
        x->next = h;
        x->v = i;
        x->tag = tag_of(seed, i);
        h = x;
    }
    return h;
}

static void garbage(int n)
{
    for (int k = 0; k < n; k++)
        (void)build(-1, 200);
}

static long check(const struct node *h, long seed, int n, const char *what, int depth)
{
    long s = 0;
    int i = n - 1;
    for (; h; h = h->next, i--) {
        E2E_CHECK_MSG(i >= 0 && h->v == i && h->tag == tag_of(seed, i),
                      "%s %ld at depth %d corrupt: node %d holds v=%ld tag=%ld", what, seed,
                      depth, i, h->v, h->tag);
        s += h->v;
    }
    E2E_CHECK_MSG(i == -1, "%s %ld at depth %d: %d nodes missing", what, seed, depth, i + 1);
    return s;
}

__attribute__((noinline)) static void escape(struct node **p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

#define LEN 40

/* One level: a list in a local, one in an escaping local, every fourth level a
 * VLA of lists (heap-backed when the stack is small). At the bottom, garbage
 * and a full collection, or a yield to whoever resumes us. */
__attribute__((noinline)) static long dive(int depth, long seed, int yield_at_bottom)
{
    struct node *mine = build(seed, LEN);
    struct node *esc = build(seed + 1, LEN);
    escape(&esc);
    long s;
    if (depth == 0) {
        garbage(300);
        GC_gcollect();
        if (yield_at_bottom)
            gs_yield();
        s = 0;
    } else if (depth % 4 == 0) {
        int n = 64 + depth % 7;
        struct node *many[n]; /* 520+ bytes: on the heap below a small stack's room */
        for (int i = 0; i < n; i++)
            many[i] = build(seed + 2 + i, 3);
        s = dive(depth - 1, seed + 100, yield_at_bottom);
        for (int i = 0; i < n; i++)
            s += check(many[i], seed + 2 + i, 3, "VLA list", depth);
    } else {
        s = dive(depth - 1, seed + 100, yield_at_bottom);
    }
    return s + check(mine, seed, LEN, "list", depth) + check(esc, seed + 1, LEN, "escaping list", depth);
}

static void *suspended(void *arg)
{
    long seed = (long)arg;
    return (void *)dive(60 + (int)(seed % 5) * 20, seed * 10000, 1);
}

/* qsort's comparator runs on the thread's own stack (a callback): it allocates,
 * which may collect, while qsort's frames hold the array's elements. */
static int by_v(const void *a, const void *b)
{
    garbage(1);
    const struct node *x = *(struct node *const *)a, *y = *(struct node *const *)b;
    return (x->v > y->v) - (x->v < y->v);
}

static void sort_lists(int rounds)
{
    for (int r = 0; r < rounds; r++) {
        struct node **arr = GC_MALLOC(64 * sizeof *arr);
        for (int i = 0; i < 64; i++)
            arr[i] = build(7000, 5 + (i * 37) % 11);
        qsort(arr, 64, sizeof *arr, by_v);
        for (int i = 0; i < 64; i++) {
            E2E_CHECK(i == 0 || arr[i - 1]->v <= arr[i]->v);
            check(arr[i], 7000, (int)arr[i]->v + 1, "sorted list", 0);
        }
    }
}

/* Lists that only a channel's buffer holds, across collections. */
static void *receive(void *arg)
{
    struct gs_chan *c = arg;
    long n = 0;
    for (long k = 0; k < 16; k++) {
        struct node *l;
        E2E_EQ_LONG(gs_chan_recv(c, &l, GS_FOREVER), 0);
        n += check(l, 8000 + k, 25, "channel list", 0) >= 0;
    }
    return (void *)n;
}

static void through_channel(void)
{
    struct gs_chan *c = gs_chan_create(sizeof(struct node *), 16);
    E2E_CHECK(c);
    for (long k = 0; k < 16; k++) {
        struct node *l = build(8000 + k, 25);
        E2E_EQ_LONG(gs_chan_send(c, &l, GS_FOREVER), 0);
    }
    garbage(300);
    GC_gcollect();
    garbage(300);
    gs_handle h = gs_spawn(receive, c);
    void *n;
    E2E_EQ_LONG(gs_join(h, &n), 0);
    E2E_EQ_LONG((long)n, 16);
    E2E_EQ_LONG(gs_chan_destroy(c), 0);
}

/* Two coroutines that pass lists back and forth through unbuffered channels:
 * every switch goes through the thread's scheduler on its own stack, so a
 * collection in the other thread stops this one in the middle of switches too
 * (signals.c runs libgc's handler below the frames live on the thread's
 * stack, which a switch back to the thread leaves a few instructions early). */
#define ROUNDS 20000
static void *ping(void *arg)
{
    struct gs_chan **ch = arg;
    for (long k = 0; k < ROUNDS; k++) {
        struct node *l = build(9000 + k % 7, 10), *r;
        E2E_EQ_LONG(gs_chan_send(ch[0], &l, GS_FOREVER), 0);
        E2E_EQ_LONG(gs_chan_recv(ch[1], &r, GS_FOREVER), 0);
        check(r, 9100 + k % 7, 10, "pong list", 0);
    }
    return NULL;
}

static void *pong(void *arg)
{
    struct gs_chan **ch = arg;
    for (long k = 0; k < ROUNDS; k++) {
        struct node *l, *r = build(9100 + k % 7, 10);
        E2E_EQ_LONG(gs_chan_recv(ch[0], &l, GS_FOREVER), 0);
        check(l, 9000 + k % 7, 10, "ping list", 0);
        E2E_EQ_LONG(gs_chan_send(ch[1], &r, GS_FOREVER), 0);
    }
    return NULL;
}

/* Coroutines fa and fb, both given two unbuffered channels of elem-byte
 * elements, run to their end; then the channels go. */
static void run_pair(size_t elem, void *(*fa)(void *), void *(*fb)(void *))
{
    struct gs_chan *ch[2] = {gs_chan_create(elem, 0), gs_chan_create(elem, 0)};
    E2E_CHECK(ch[0] && ch[1]);
    gs_handle a = gs_spawn(fa, ch), b = gs_spawn(fb, ch);
    E2E_EQ_LONG(gs_join(a, NULL), 0);
    E2E_EQ_LONG(gs_join(b, NULL), 0);
    E2E_EQ_LONG(gs_chan_destroy(ch[0]), 0);
    E2E_EQ_LONG(gs_chan_destroy(ch[1]), 0);
}

static void ping_pong(void)
{
    run_pair(sizeof(struct node *), ping, pong);
}

/* Coroutines that park and wake (unbuffered channels, no allocation) while
 * another thread collects without pause: each collection stops this thread,
 * often where a coroutine of the thread's outermost level has left (no
 * coroutine is current any more) but has not switched yet, its stack pointer
 * still on its own stack. libgc's handler must run on the thread's stack there
 * too: on the signal stack libgc scanned from there up to the thread's stack
 * base, across unmapped memory (SIGSEGV in about 1 run in 300 of this test
 * before this phase, 2026-12-06; CI's run of stop 35). */
#define PARK_ROUNDS 100000
static volatile int collector_stop;

static void *collector(void *arg)
{
    (void)arg;
    long n = 0;
    while (!collector_stop) {
        GC_gcollect();
        n++;
    }
    return (void *)n;
}

static void *parker(void *arg)
{
    struct gs_chan **ch = arg;
    struct node *mine = build(9200, 50);
    for (long k = 0; k < PARK_ROUNDS; k++) {
        long v = k;
        E2E_EQ_LONG(gs_chan_send(ch[0], &v, GS_FOREVER), 0);
        E2E_EQ_LONG(gs_chan_recv(ch[1], &v, GS_FOREVER), 0);
        E2E_EQ_LONG(v, k + 1);
    }
    check(mine, 9200, 50, "parker list", 0);
    return NULL;
}

static void *echoer(void *arg)
{
    struct gs_chan **ch = arg;
    for (long k = 0; k < PARK_ROUNDS; k++) {
        long v;
        E2E_EQ_LONG(gs_chan_recv(ch[0], &v, GS_FOREVER), 0);
        v++;
        E2E_EQ_LONG(gs_chan_send(ch[1], &v, GS_FOREVER), 0);
    }
    return NULL;
}

static long parking_under_collections(void)
{
    pthread_t t;
    E2E_EQ_LONG(pthread_create(&t, NULL, collector, NULL), 0);
    run_pair(sizeof(long), parker, echoer);
    collector_stop = 1;
    void *n;
    E2E_EQ_LONG(pthread_join(t, &n), 0);
    return (long)n;
}

static volatile int worker_stop;

static void *worker(void *arg)
{
    (void)arg;
    long rounds = 0;
    while (!worker_stop) {
        struct node *l = build(900, 300);
        garbage(50);
        for (long i = 299; l; l = l->next, i--)
            if (l->v != i || l->tag != tag_of(900, i))
                return (void *)-1L;
        rounds++;
    }
    return (void *)rounds;
}

static int depth_for_config(void)
{
    return e2e_cfg().forced ? 60 : 400; /* a forced move copies the whole stack */
}

int main(void)
{
    GC_INIT();
    const int depth = depth_for_config();

    /* One thread: the dives of main's coroutine, then suspended coroutines. */
    for (int r = 0; r < 3; r++)
        E2E_CHECK(dive(depth, r * 1000000L, 0) > 0);
    gs_handle h[4];
    for (long i = 0; i < 4; i++) {
        h[i] = gs_spawn(suspended, (void *)(i + 1));
        E2E_EQ_LONG(gs_resume(h[i]), 0);
        E2E_CHECK(!gs_done(h[i]));
    }
    garbage(500);
    GC_gcollect();
    (void)dive(depth / 2, 5000000L, 0);
    for (int i = 0; i < 4; i++) {
        void *res;
        E2E_EQ_LONG(gs_join(h[i], &res), 0);
        E2E_CHECK((long)res > 0);
    }

    through_channel();

    /* Two threads collecting at once. */
    pthread_t t;
    E2E_EQ_LONG(pthread_create(&t, NULL, worker, NULL), 0);
    for (int r = 0; r < 6; r++) {
        E2E_CHECK(dive(depth / 2, 6000000L + r * 100000L, 0) > 0);
        sort_lists(3);
    }
    ping_pong();
    worker_stop = 1;
    void *wr;
    E2E_EQ_LONG(pthread_join(t, &wr), 0);
    E2E_CHECK_MSG((long)wr >= 0, "the worker thread's own list was corrupt");

    long stops = parking_under_collections();

    /* The garbage went: the heap did not grow with the allocations. */
    size_t heap = GC_get_heap_size();
    E2E_CHECK_MSG(heap < ((size_t)256 << 20), "GC heap of %zu bytes", heap);
    printf("collections: %lu, heap %zu KiB, worker rounds %ld, collections while parking %ld\n",
           (unsigned long)GC_get_gc_no(), heap >> 10, (long)wr, stops);
    return e2e_done("boehm_gc");
}
