/* gcroots.c - the runtime's memory as roots of libgc (see gcroots.h). */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "fatal.h"
#include "gcroots.h"
#include "records.h"

/* libgc's API (gc.h, gc_mark.h), weak: null in a program without libgc. */
typedef void (*gc_push_other_roots_proc)(void);
extern void GC_set_push_other_roots(gc_push_other_roots_proc) __attribute__((weak));
extern gc_push_other_roots_proc GC_get_push_other_roots(void) __attribute__((weak));
extern void GC_push_all_eager(void *bottom, void *top) __attribute__((weak));
extern void *GC_call_with_alloc_lock(void *(*fn)(void *), void *arg) __attribute__((weak));
extern void GC_init(void) __attribute__((weak));
extern int GC_get_suspend_signal(void) __attribute__((weak));

int gs_gcroots_active(void)
{
    return GC_set_push_other_roots && GC_get_push_other_roots && GC_push_all_eager &&
           GC_call_with_alloc_lock;
}

/* How many readers of the table are in it: a collection (push_roots), a
 * stopped thread's suspend handler (gs_gcroots_holds). A thread that removes
 * something waits until it is 0 again before the memory goes: the threads libgc
 * knows are stopped while it reads, but a thread libgc does not know (or no
 * longer: one that is exiting) runs on. A reader counts itself before it loads
 * the table's address, a writer publishes a new table before it looks at the
 * count (both sequentially consistent): one of the two sees the other. */
static int reading;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER; /* writers only: push_roots reads without it */

static void wait_for_readers(void)
{
    while (__atomic_load_n(&reading, __ATOMIC_SEQ_CST))
        sched_yield();
}

/* ---- the table of regions ------------------------------------------------- */

#define EMPTY 0
#define TOMB 1

struct entry {
    uintptr_t lo; /* EMPTY, TOMB, or the region's start */
    uintptr_t hi;
};

struct table {
    size_t cap;  /* a power of two */
    size_t used; /* live entries and tombstones */
    size_t live;
    size_t bytes; /* of the mapping */
    struct entry e[];
};

static struct table *tab;

static size_t slot(uintptr_t lo, size_t cap)
{
    return (size_t)(((lo >> 4) * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);
}

/* mmap, not malloc: a program may replace malloc with the collector's. */
static struct table *table_new(size_t cap)
{
    size_t bytes = sizeof(struct table) + cap * sizeof(struct entry);
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        gs_fatal("out of memory for the table of %zu collector roots", cap);
    struct table *t = p;
    t->cap = cap;
    t->bytes = bytes;
    return t;
}

/* Room for one more entry: a new table when live entries and tombstones would
 * fill half of it, published complete; the old one is unmapped once no
 * collection can be reading it. */
static void reserve(void)
{
    struct table *t = tab;
    if (t && (t->used + 1) * 2 <= t->cap)
        return;
    size_t cap = 64;
    while (t && cap < 4 * (t->live + 1))
        cap *= 2;
    struct table *n = table_new(cap);
    for (size_t i = 0; t && i < t->cap; i++) {
        if (t->e[i].lo > TOMB) {
            size_t j = slot(t->e[i].lo, cap);
            while (n->e[j].lo != EMPTY)
                j = (j + 1) & (cap - 1);
            n->e[j] = t->e[i];
            n->used++;
            n->live++;
        }
    }
    __atomic_store_n(&tab, n, __ATOMIC_SEQ_CST);
    if (t) {
        wait_for_readers();
        munmap(t, t->bytes);
    }
}

static void table_add(uintptr_t lo, uintptr_t hi)
{
    pthread_mutex_lock(&mu);
    reserve();
    struct table *t = tab;
    size_t j = slot(lo, t->cap);
    while (t->e[j].lo > TOMB)
        j = (j + 1) & (t->cap - 1);
    if (t->e[j].lo == EMPTY)
        t->used++;
    t->live++;
    /* hi before lo: a reader sees a tombstone, nothing or the whole region. */
    __atomic_store_n(&t->e[j].hi, hi, __ATOMIC_RELEASE);
    __atomic_store_n(&t->e[j].lo, lo, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&mu);
}

static void table_remove(uintptr_t lo, uintptr_t hi)
{
    pthread_mutex_lock(&mu);
    struct table *t = tab;
    size_t j = t ? slot(lo, t->cap) : 0;
    while (t && t->e[j].lo != EMPTY && !(t->e[j].lo == lo && t->e[j].hi == hi))
        j = (j + 1) & (t->cap - 1);
    if (!t || t->e[j].lo == EMPTY)
        gs_fatal("internal error: collector root [%p, %p) was never added", (void *)lo,
                 (void *)hi);
    __atomic_store_n(&t->e[j].lo, (uintptr_t)TOMB, __ATOMIC_SEQ_CST);
    t->live--;
    pthread_mutex_unlock(&mu);
    wait_for_readers(); /* then the caller may release the memory */
}

void gs_gcroots_add(const void *lo, size_t size)
{
    if (__builtin_expect(!gs_gcroots_active(), 1))
        return;
    table_add((uintptr_t)lo, (uintptr_t)lo + size);
}

void gs_gcroots_remove(const void *lo, size_t size)
{
    if (__builtin_expect(!gs_gcroots_active(), 1))
        return;
    table_remove((uintptr_t)lo, (uintptr_t)lo + size);
}

/* ---- the collector's procedure ------------------------------------------- */

static gc_push_other_roots_proc chained;

/* Called by libgc during a collection, with its lock held and the threads it
 * knows stopped; on the collecting thread's own stack (libgc is not
 * instrumented: install() refuses one that is, so its calls run there). */
static void push_roots(void)
{
    /* What was set before scans the thread stacks libgc knows. */
    if (chained)
        chained();
    __atomic_add_fetch(&reading, 1, __ATOMIC_SEQ_CST);
    /* Eager: scanned now, not queued, so that no region is read after this
     * returns and its owner may release it. */
    struct table *t = __atomic_load_n(&tab, __ATOMIC_SEQ_CST);
    for (size_t i = 0; t && i < t->cap; i++) {
        uintptr_t lo = __atomic_load_n(&t->e[i].lo, __ATOMIC_SEQ_CST);
        uintptr_t hi = __atomic_load_n(&t->e[i].hi, __ATOMIC_ACQUIRE);
        if (lo > TOMB)
            GC_push_all_eager((void *)lo, (void *)hi);
    }
    __atomic_sub_fetch(&reading, 1, __ATOMIC_SEQ_CST);
}

int gs_gcroots_holds(uintptr_t p)
{
    if (!gs_gcroots_active())
        return 0;
    __atomic_add_fetch(&reading, 1, __ATOMIC_SEQ_CST);
    struct table *t = __atomic_load_n(&tab, __ATOMIC_SEQ_CST);
    int found = 0;
    for (size_t i = 0; t && i < t->cap && !found; i++) {
        uintptr_t lo = __atomic_load_n(&t->e[i].lo, __ATOMIC_SEQ_CST);
        uintptr_t hi = __atomic_load_n(&t->e[i].hi, __ATOMIC_ACQUIRE);
        found = lo > TOMB && lo <= p && p < hi;
    }
    __atomic_sub_fetch(&reading, 1, __ATOMIC_SEQ_CST);
    return found;
}

static void *install_locked(void *arg)
{
    (void)arg;
    if (!chained && GC_get_push_other_roots() != push_roots) {
        chained = GC_get_push_other_roots();
        GC_set_push_other_roots(push_roots);
    }
    return NULL;
}

static void atfork_prepare(void)
{
    pthread_mutex_lock(&mu);
}

static void atfork_parent(void)
{
    pthread_mutex_unlock(&mu);
}

/* In the child the other threads are gone; their regions stay in the table
 * (still mapped, never released there). */
static void atfork_child(void)
{
    reading = 0;
    pthread_mutex_unlock(&mu);
}

/* Once per process, from a thread's start (gs_signals_thread_init). */
static void install(void)
{
    /* A libgc built by gscc would run its collections on coroutine stacks and
     * take a local's address in a thread's first frame, on a coroutine, for the
     * base of the thread's stack (GC_call_with_stack_base): bdwgc's own tests,
     * built entirely by gscc, corrupted the heap (2026-12-06). */
    if (gs_records_instrumented((uintptr_t)(void *)GC_push_all_eager))
        gs_fatal("libgc was compiled by gscc: the collector must be built by a plain compiler "
                 "(link Debian's libgc, or build it with clang or gcc) while the program "
                 "uses it from gscc-built code (docs/usage.md, \"The Boehm collector\")");
    GC_call_with_alloc_lock(install_locked, NULL);
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}
static pthread_once_t once = PTHREAD_ONCE_INIT;

void gs_gcroots_init(void)
{
    if (__builtin_expect(!gs_gcroots_active(), 1)) {
        /* A static libgc.a whose members for these were not linked in (weak
         * references pull in no archive member): its collections would miss
         * every coroutine's locals. */
        if (GC_init)
            gs_fatal("libgc is linked without GC_set_push_other_roots, "
                     "GC_get_push_other_roots, GC_push_all_eager or GC_call_with_alloc_lock, "
                     "which growstack needs to show coroutine stacks to the collector "
                     "(a static libgc.a: link with -Wl,--undefined=GC_set_push_other_roots ... "
                     "or link the shared libgc)");
        return;
    }
    pthread_once(&once, install);
}

int gs_gcroots_suspend_signal(void)
{
    return gs_gcroots_active() && GC_get_suspend_signal ? GC_get_suspend_signal() : 0;
}
