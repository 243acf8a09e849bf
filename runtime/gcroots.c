/* gcroots.c - the runtime's memory as roots of libgc (see gcroots.h). */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fatal.h"
#include "gcroots.h"

/* libgc's API (gc.h, gc_mark.h), weak: null in a program without libgc. */
typedef void (*gc_push_other_roots_proc)(void);
extern void GC_set_push_other_roots(gc_push_other_roots_proc) __attribute__((weak));
extern gc_push_other_roots_proc GC_get_push_other_roots(void) __attribute__((weak));
extern void GC_push_all(void *bottom, void *top) __attribute__((weak));
extern void *GC_call_with_alloc_lock(void *(*fn)(void *), void *arg) __attribute__((weak));
extern void GC_register_altstack(void *normstack, unsigned long normstack_size, void *altstack,
                                 unsigned long altstack_size) __attribute__((weak));
extern int GC_thread_is_registered(void) __attribute__((weak));
extern int GC_is_init_called(void) __attribute__((weak));

__thread uintptr_t gs_gcroots_sig_sp __attribute__((tls_model("initial-exec")));

int gs_gcroots_active(void)
{
    return GC_set_push_other_roots && GC_get_push_other_roots && GC_push_all &&
           GC_call_with_alloc_lock;
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

static struct table *tab; /* read by collections: published with release stores */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/* The runtime's threads (gs_gcroots_thread_init). */
struct thread_node {
    struct thread_node *next, *prev;
    pthread_t self;
    uintptr_t stack_lo, stack_hi; /* the thread's own stack */
    char *const *sys_sp;          /* its gs_tls.sys_sp */
    const uintptr_t *sig_sp;      /* its gs_gcroots_sig_sp */
};
static __thread struct thread_node me;
static struct thread_node *threads;

static gc_push_other_roots_proc chained;
static int installed;

static size_t slot(uintptr_t lo, size_t cap)
{
    return (size_t)(((lo >> 4) * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);
}

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
 * fill half of it. The old one is complete until the new one is published,
 * and no collection reads it afterwards (collections read `tab` with the
 * world stopped, and this thread is not stopped between the store and the
 * unmapping while a collection runs: it holds the allocation lock). */
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
    __atomic_store_n(&tab, n, __ATOMIC_RELEASE);
    if (t)
        munmap(t, t->bytes);
}

struct change {
    uintptr_t lo, hi;
    int add;
};

static void *change_locked(void *arg)
{
    const struct change *c = arg;
    pthread_mutex_lock(&mu);
    if (c->add) {
        reserve();
        struct table *t = tab;
        size_t j = slot(c->lo, t->cap);
        while (t->e[j].lo > TOMB)
            j = (j + 1) & (t->cap - 1);
        if (t->e[j].lo == EMPTY)
            t->used++;
        t->live++;
        /* hi before lo: a collection that reads the slot meanwhile sees a
         * tombstone or the whole region. */
        __atomic_store_n(&t->e[j].hi, c->hi, __ATOMIC_RELEASE);
        __atomic_store_n(&t->e[j].lo, c->lo, __ATOMIC_RELEASE);
    } else {
        struct table *t = tab;
        size_t j = t ? slot(c->lo, t->cap) : 0;
        while (t && t->e[j].lo != EMPTY && !(t->e[j].lo == c->lo && t->e[j].hi == c->hi))
            j = (j + 1) & (t->cap - 1);
        if (!t || t->e[j].lo == EMPTY)
            gs_fatal("internal error: collector root [%p, %p) was never added", (void *)c->lo,
                     (void *)c->hi);
        __atomic_store_n(&t->e[j].lo, (uintptr_t)TOMB, __ATOMIC_RELEASE);
        t->live--;
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

/* ---- the collector's procedure ------------------------------------------- */

/* Called by libgc during a collection, with its lock held and the world
 * stopped (the threads it knows wait in its signal handler). */
static void push_roots(void)
{
    if (chained)
        chained();
    struct table *t = __atomic_load_n(&tab, __ATOMIC_ACQUIRE);
    for (size_t i = 0; t && i < t->cap; i++) {
        uintptr_t lo = __atomic_load_n(&t->e[i].lo, __ATOMIC_ACQUIRE);
        if (lo > TOMB)
            GC_push_all((void *)lo, (void *)t->e[i].hi);
    }
    pthread_t self = pthread_self();
    for (struct thread_node *n = threads; n; n = n->next) {
        if (pthread_equal(n->self, self))
            continue; /* libgc scans the collecting thread's stack itself */
        uintptr_t lo = (uintptr_t)*n->sys_sp;
        uintptr_t sp = *n->sig_sp;
        /* Stopped on its own stack (a call that left instrumented code, or no
         * coroutine running): from there, red zone included. */
        if (sp > n->stack_lo + 128 && sp < n->stack_hi && (lo == 0 || sp - 128 < lo))
            lo = sp - 128;
        if (lo > n->stack_lo && lo < n->stack_hi)
            GC_push_all((void *)lo, (void *)n->stack_hi);
    }
}

static void *install_locked(void *arg)
{
    (void)arg;
    if (!installed) {
        chained = GC_get_push_other_roots();
        GC_set_push_other_roots(push_roots);
        installed = 1;
    }
    return NULL;
}

static void atfork_prepare(void)
{
    pthread_mutex_lock(&mu);
}

static void atfork_release(void)
{
    pthread_mutex_unlock(&mu);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void install(void)
{
    GC_call_with_alloc_lock(install_locked, NULL);
    pthread_atfork(atfork_prepare, atfork_release, atfork_release);
}

static void change(const void *lo, size_t size, int add)
{
    pthread_once(&once, install);
    struct change c = {(uintptr_t)lo, (uintptr_t)lo + size, add};
    GC_call_with_alloc_lock(change_locked, &c);
}

void gs_gcroots_add(const void *lo, size_t size)
{
    if (__builtin_expect(!gs_gcroots_active(), 1))
        return;
    change(lo, size, 1);
}

void gs_gcroots_remove(const void *lo, size_t size)
{
    if (__builtin_expect(!gs_gcroots_active(), 1))
        return;
    change(lo, size, 0);
}

/* ---- threads ---------------------------------------------------------------- */

static void *thread_link_locked(void *arg)
{
    struct thread_node *n = arg;
    pthread_mutex_lock(&mu);
    if (n->self) {
        n->next = threads;
        n->prev = NULL;
        if (threads)
            threads->prev = n;
        threads = n;
    } else {
        if (n->prev)
            n->prev->next = n->next;
        else
            threads = n->next;
        if (n->next)
            n->next->prev = n->prev;
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

void gs_gcroots_thread_init(char *const *sys_sp, void *alt, size_t alt_size)
{
    if (__builtin_expect(!gs_gcroots_active(), 1) || me.self)
        return;
    pthread_once(&once, install);
    pthread_attr_t a;
    void *addr;
    size_t size;
    if (pthread_getattr_np(pthread_self(), &a) || pthread_attr_getstack(&a, &addr, &size))
        gs_fatal("cannot find the calling thread's stack (pthread_getattr_np) for the collector");
    pthread_attr_destroy(&a);
    me.stack_lo = (uintptr_t)addr;
    me.stack_hi = (uintptr_t)addr + size;
    me.sys_sp = sys_sp;
    me.sig_sp = &gs_gcroots_sig_sp;
    me.self = pthread_self();
    GC_call_with_alloc_lock(thread_link_locked, &me);
    /* libgc keeps the signal stack per thread it knows; before it is
     * initialised it keeps one for the main thread. The normal stack is not
     * given: push_roots pushes its live part (libgc 8.2 would ignore it, later
     * versions would scan all of it, unmapped pages included). */
    if (alt && GC_register_altstack && GC_is_init_called && GC_thread_is_registered) {
        int main_thread = getpid() == (pid_t)syscall(SYS_gettid);
        if (GC_is_init_called() ? GC_thread_is_registered() : main_thread)
            GC_register_altstack(NULL, 0, alt, alt_size);
    }
}

void gs_gcroots_thread_exit(void)
{
    if (!me.self)
        return;
    me.self = 0;
    GC_call_with_alloc_lock(thread_link_locked, &me);
    memset(&me, 0, sizeof me);
}
