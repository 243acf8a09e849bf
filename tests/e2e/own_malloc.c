/* own_malloc - a program that defines the malloc family in code gscc compiles
 * (bash's own malloc, Emacs's, a game's arena allocator) runs in every mode:
 * the runtime allocates its own bookkeeping from the C library's allocator
 * (runtime/mem.c), never from the program's.
 *
 * Before, the runtime called malloc/realloc/free and reached the program's:
 * from the middle of a growth, on the system stack with the coroutine's guard
 * still installed (a setjmp buffer's fix list during a move, a side stack
 * chunk, a VLA's heap block), and from inside the program's allocator itself
 * when the growth was in one of its own functions. bash built by gscc with its
 * own malloc segfaulted in most of its test scripts (found 2026-12-06).
 *
 * The allocator below is what such programs have: blocks carved from sbrk'd
 * chunks (a system call made from instrumented code: thunk and trampoline),
 * a free list per power-of-two class, memalign and posix_memalign but, like
 * bash's, no aligned_alloc. It stops the program when it is entered again
 * from inside itself on the same thread, and when free() or realloc() gets a
 * pointer it did not hand out. The work: recursion where every level has a
 * setjmp buffer, an escaping local (side frame), a VLA and heap blocks it
 * fills, grows with realloc and checks after the deeper levels return; on
 * four coroutines that yield at some levels, on a thread, on a makecontext
 * stack; and channels. Run in every configuration, a move forced at every
 * check included.
 */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <growstack.h>
#include <pthread.h>
#include <setjmp.h>
#include <ucontext.h>

#include "e2e_stats.h"

/* ---- the program's allocator ------------------------------------------- */

#define OWN_CHUNK (1u << 20)
#define OWN_MAX_CHUNKS 2048
#define OWN_MAGIC 0x6f776e6d616c6c63ul /* "ownmallc" */
#define OWN_ALIGNED 0x6f776e616c69676eul /* "ownalign": p - hdr.size is the block */

struct own_hdr {
    size_t size; /* class size (OWN_MAGIC) or offset to the real block (OWN_ALIGNED) */
    size_t magic;
};

static char *own_lo[OWN_MAX_CHUNKS];
static int own_nchunks;
static char *own_cur, *own_end;
static struct own_hdr *own_free_list[64];
static int own_lock;
static __thread int own_inside; /* this thread is inside the allocator */
static long own_mallocs, own_frees, own_sbrks;

static void own_die(const char *what)
{
    static const char pre[] = "own_malloc: FAILED: ";
    (void)!write(2, pre, sizeof pre - 1);
    (void)!write(2, what, strlen(what));
    (void)!write(2, "\n", 1);
    _exit(3);
}

static void own_enter(const char *fn)
{
    if (own_inside)
        own_die(fn); /* entered again from inside the allocator */
    own_inside = 1;
    while (__atomic_exchange_n(&own_lock, 1, __ATOMIC_ACQUIRE))
        ;
}

static void own_leave(void)
{
    __atomic_store_n(&own_lock, 0, __ATOMIC_RELEASE);
    own_inside = 0;
}

static unsigned own_class(size_t n)
{
    unsigned c = 4; /* 16 bytes */
    while (((size_t)1 << c) < n)
        c++;
    return c;
}

/* noinline and a frame of some size: its prologue check is one a growth can
 * start from while the allocator's lock is held. */
__attribute__((noinline)) static void *own_carve(size_t total)
{
    volatile char scratch[160];
    scratch[total % sizeof scratch] = 1;
    if (own_cur == NULL || (size_t)(own_end - own_cur) < total) {
        size_t want = total > OWN_CHUNK ? (total + 4095) & ~(size_t)4095 : OWN_CHUNK;
        if (own_nchunks == OWN_MAX_CHUNKS)
            own_die("out of chunk slots");
        char *c = sbrk((intptr_t)want);
        if (c == (char *)-1)
            return NULL;
        own_sbrks++;
        own_lo[own_nchunks++] = c;
        own_cur = c;
        own_end = c + want;
    }
    char *p = own_cur;
    own_cur += total;
    return p + scratch[total % sizeof scratch] - 1;
}

static int own_holds(const void *p)
{
    for (int i = 0; i < own_nchunks; i++)
        if ((const char *)p >= own_lo[i] && (const char *)p < own_lo[i] + OWN_CHUNK)
            return 1;
    return 0;
}

/* The block header of p, checked: the real block for an aligned one. */
static struct own_hdr *own_block(void *p, const char *fn)
{
    struct own_hdr *h = (struct own_hdr *)p - 1;
    if (!own_holds(h))
        own_die(fn);
    if (h->magic == OWN_ALIGNED) {
        h = (struct own_hdr *)((char *)p - h->size) - 1;
        if (!own_holds(h))
            own_die(fn);
    }
    if (h->magic != OWN_MAGIC)
        own_die(fn);
    return h;
}

static void *own_alloc_locked(size_t n)
{
    unsigned c = own_class(n ? n : 1);
    struct own_hdr *h = own_free_list[c];
    if (h) {
        own_free_list[c] = (struct own_hdr *)h->size;
    } else {
        h = own_carve(sizeof *h + ((size_t)1 << c));
        if (!h)
            return NULL;
    }
    h->size = (size_t)1 << c;
    h->magic = OWN_MAGIC;
    own_mallocs++;
    return h + 1;
}

static void own_free_locked(struct own_hdr *h)
{
    unsigned c = own_class(h->size);
    h->magic = 0;
    h->size = (size_t)own_free_list[c];
    own_free_list[c] = h;
    own_frees++;
}

void *malloc(size_t n)
{
    own_enter("malloc entered again from inside the allocator");
    void *p = own_alloc_locked(n);
    own_leave();
    if (!p)
        errno = ENOMEM;
    return p;
}

void free(void *p)
{
    if (!p)
        return;
    own_enter("free entered again from inside the allocator");
    struct own_hdr *h = own_block(p, "free() of a pointer this allocator did not hand out");
    own_free_locked(h);
    own_leave();
}

void *calloc(size_t k, size_t n)
{
    if (n && k > (size_t)-1 / n) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = malloc(k * n);
    if (p)
        memset(p, 0, k * n);
    return p;
}

void *realloc(void *p, size_t n)
{
    if (!p)
        return malloc(n);
    own_enter("realloc entered again from inside the allocator");
    struct own_hdr *h = own_block(p, "realloc() of a pointer this allocator did not hand out");
    size_t have = h->size - (size_t)((char *)p - (char *)(h + 1));
    void *q = own_alloc_locked(n);
    if (q) {
        memcpy(q, p, have < n ? have : n);
        own_free_locked(h);
    }
    own_leave();
    return q;
}

void *memalign(size_t align, size_t n)
{
    if (align <= 16)
        return malloc(n);
    if (align & (align - 1)) {
        errno = EINVAL;
        return NULL;
    }
    char *raw = malloc(n + align + sizeof(struct own_hdr));
    if (!raw)
        return NULL;
    char *p = (char *)(((uintptr_t)raw + sizeof(struct own_hdr) + align - 1) & ~(align - 1));
    if (p != raw) {
        struct own_hdr *a = (struct own_hdr *)p - 1;
        a->size = (size_t)(p - raw);
        a->magic = OWN_ALIGNED;
    }
    return p;
}

int posix_memalign(void **out, size_t align, size_t n)
{
    if (align < sizeof(void *) || (align & (align - 1)))
        return EINVAL;
    void *p = memalign(align, n);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

/* ---- the work ------------------------------------------------------------ */

static unsigned char pattern(long seed, size_t i)
{
    return (unsigned char)(seed * 131 + (long)i * 7 + 1);
}

/* Fills a fresh block, recurses, then checks the block, grows it with
 * realloc and checks it again; the VLA and the escaping local likewise. Every
 * level's setjmp buffer is live across the deeper levels (a move relocates
 * it). Returns the number of bytes checked. */
__attribute__((noinline)) static long level(long seed, int d, int yield_every)
{
    jmp_buf jb;
    if (setjmp(jb))
        e2e_fail(__FILE__, __LINE__, "nothing longjmps here");
    size_t n = 24 + (size_t)(seed * 37 + d * 11) % 300;
    unsigned char vla[64 + (d * 29) % 700];
    long escaping = seed ^ d;
    e2e_escape(&escaping);
    unsigned char *p = malloc(n);
    E2E_CHECK(p != NULL);
    for (size_t i = 0; i < n; i++)
        p[i] = pattern(seed + d, i);
    for (size_t i = 0; i < sizeof vla; i++)
        vla[i] = pattern(seed - d, i);
    if (yield_every && d % yield_every == 0)
        gs_yield();
    long checked = d > 0 ? level(seed, d - 1, yield_every) : 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] != pattern(seed + d, i))
            e2e_fail(__FILE__, __LINE__, "seed %ld level %d: block byte %zu changed", seed, d, i);
    for (size_t i = 0; i < sizeof vla; i++)
        if (vla[i] != pattern(seed - d, i))
            e2e_fail(__FILE__, __LINE__, "seed %ld level %d: VLA byte %zu changed", seed, d, i);
    E2E_EQ_LONG(escaping, seed ^ d);
    unsigned char *q = realloc(p, 2 * n + 100);
    E2E_CHECK(q != NULL);
    for (size_t i = 0; i < n; i++)
        if (q[i] != pattern(seed + d, i))
            e2e_fail(__FILE__, __LINE__, "seed %ld level %d: byte %zu lost by realloc", seed, d, i);
    free(q);
    return checked + (long)n + (long)sizeof vla;
}

static long expected(long seed, int d)
{
    long sum = 0;
    for (int k = 0; k <= d; k++)
        sum += 24 + (seed * 37 + k * 11) % 300 + 64 + (k * 29) % 700;
    return sum;
}

#define DEPTH 400

static void *levels_fn(void *arg)
{
    long seed = (long)arg;
    return (void *)level(seed, DEPTH, (int)(seed % 5) + 3);
}

static void *pthread_fn(void *arg)
{
    return (void *)level((long)arg, DEPTH, 0);
}

static long ucx_result;
static ucontext_t ucx_main, ucx_ctx;

static void ucx_fn(void)
{
    ucx_result = level(99, 60, 0);
}

static void *channels_fn(void *arg)
{
    struct gs_chan *c = arg;
    for (long i = 0; i < 200; i++) {
        long *v = malloc(sizeof *v);
        *v = i;
        E2E_CHECK(gs_chan_send(c, &v, GS_FOREVER) == 0);
    }
    gs_chan_close(c);
    return NULL;
}

int main(void)
{
    struct e2e_cfg cfg = e2e_cfg();
    struct gs_stats before = e2e_stats();

    /* Four coroutines that yield to each other at some levels. */
    gs_handle co[4];
    for (long i = 0; i < 4; i++) {
        co[i] = gs_spawn(levels_fn, (void *)(i + 1));
        E2E_CHECK(co[i] != 0);
    }
    for (long i = 0; i < 4; i++) {
        void *r;
        E2E_EQ_LONG(gs_join(co[i], &r), 0);
        E2E_EQ_LONG((long)r, expected(i + 1, DEPTH));
    }

    /* A thread: its start routine runs on a coroutine too. */
    pthread_t th;
    E2E_EQ_LONG(pthread_create(&th, NULL, pthread_fn, (void *)7), 0);
    void *tr;
    E2E_EQ_LONG(pthread_join(th, &tr), 0);
    E2E_EQ_LONG((long)tr, expected(7, DEPTH));

    /* A makecontext stack (the runtime keeps a record of it). */
    static char ucx_stack[256 * 1024];
    E2E_EQ_LONG(getcontext(&ucx_ctx), 0);
    ucx_ctx.uc_stack.ss_sp = ucx_stack;
    ucx_ctx.uc_stack.ss_size = sizeof ucx_stack;
    ucx_ctx.uc_link = &ucx_main;
    makecontext(&ucx_ctx, ucx_fn, 0);
    E2E_EQ_LONG(swapcontext(&ucx_main, &ucx_ctx), 0);
    E2E_EQ_LONG(ucx_result, expected(99, 60));

    /* Channels: the runtime's buffers hold the program's blocks. */
    struct gs_chan *c = gs_chan_create(sizeof(long *), 8);
    E2E_CHECK(c != NULL);
    gs_handle sender = gs_spawn(channels_fn, c);
    long got = 0, sum = 0;
    long *v;
    while (gs_chan_recv(c, &v, GS_FOREVER) == 0) {
        sum += *v;
        free(v);
        got++;
    }
    E2E_EQ_LONG(gs_join(sender, NULL), 0);
    E2E_EQ_LONG(gs_chan_destroy(c), 0);
    E2E_EQ_LONG(got, 200);
    E2E_EQ_LONG(sum, 199 * 200 / 2);

    /* The allocator served the program (and the C library). */
    E2E_CHECK(own_mallocs > 4 * DEPTH);
    E2E_CHECK(own_frees > 4 * DEPTH);
    E2E_CHECK(own_sbrks > 0);
    struct gs_stats d = e2e_stats_since(&before);
    E2E_CHECK_GREW(cfg, d);
    return e2e_done("own_malloc");
}
