/* side_small_check - the single inline check of a small side frame
 * (docs/protocol.md 7.2: fewer than 4096 bytes, 16-aligned: `sp - SIZE < lim`
 * without rounding or wrap-around compare) takes the slow path in every state
 * that needs it and only there:
 *  - no side stack yet ({NULL, UINTPTR_MAX}, a fresh coroutine; and a thread
 *    the program created, outside coroutines): the largest small frame (4080
 *    bytes) goes to a chunk; a fast path would write below address 0;
 *  - a current chunk with exactly SIZE bytes left: the frame fits (base ==
 *    lim), the state after it is the state before it;
 *  - 16 bytes less than SIZE left: the slow path, a new chunk stays current;
 *  - after the coroutine that owned the chunks finished, a new one starts
 *    from {NULL, UINTPTR_MAX} again.
 * A frame of 4096 bytes (the general check) runs beside them: from the
 * initial state its exits restore that state, at its first call (the C half
 * allocates the first chunk) and its second (the assembly fast path reuses it). The state is
 * read through __gs_side, whose layout protocol.md 7.2 fixes. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"
#include "e2e_side.h"

#include <pthread.h>

static char *volatile sink;

#define SIDE_FN(name, bytes)                                                     \
    __attribute__((noinline)) static char *name(void)                            \
    {                                                                            \
        char buf[bytes];                                                         \
        buf[0] = 1;                                                              \
        buf[(bytes) - 1] = 2;                                                    \
        sink = buf;                                                              \
        return (char *)sink;                                                     \
    }
SIDE_FN(f16, 16)
SIDE_FN(f4080, 4080)
SIDE_FN(f4096, 4096)
/* The first chunk (GS_SIDE_FIRST = 1024 bytes, a 48-byte header, malloc's
 * 16-byte alignment) holds 976 bytes: `exact` fills it, `over` does not fit. */
SIDE_FN(exact, 976)
SIDE_FN(over, 992)

static int same(struct side_state a, struct side_state b)
{
    return a.sp == b.sp && a.lim == b.lim;
}

static int in_chunk(const char *p, struct side_state s)
{
    return p >= s.lim && p < s.sp;
}

struct fresh {
    struct side_state before, after, after2;
    char *addr, *addr2;
};

/* No side frame of its own: the state it sees is its caller's. */
__attribute__((noinline)) static void first_frame(struct fresh *f, char *(*fn)(void))
{
    f->before = __gs_side;
    f->addr = fn();
    f->after = __gs_side;
}

static void check_fresh(const struct fresh *f, size_t bytes)
{
    E2E_CHECK(f->before.sp == NULL && f->before.lim == (char *)UINTPTR_MAX);
    E2E_CHECK(f->after.lim != (char *)UINTPTR_MAX);
    /* The frame sits at the top of the chunk its exit left current. */
    E2E_CHECK(f->addr == f->after.sp - bytes);
    E2E_CHECK(f->addr >= f->after.lim);
}

static void *fresh_4080(void *arg)
{
    first_frame(arg, f4080);
    return NULL;
}

static void *fresh_4096(void *arg)
{
    struct fresh *f = arg;
    first_frame(f, f4096);
    f->addr2 = f4096();
    f->after2 = __gs_side;
    return NULL;
}

struct boundary {
    struct side_state empty, after_exact, after_over;
    char *exact_addr, *over_addr;
};

static void *at_boundary(void *arg)
{
    struct boundary *b = arg;
    f16(); /* the first chunk, then current and empty */
    b->empty = __gs_side;
    b->exact_addr = exact();
    b->after_exact = __gs_side;
    b->over_addr = over();
    b->after_over = __gs_side;
    return NULL;
}

static void *thread_main(void *arg)
{
    first_frame(arg, f4080); /* outside coroutines: the thread's own side stack */
    return NULL;
}

int main(void)
{
    struct fresh a, c, t, big;
    struct boundary b;
    gs_handle h = gs_spawn(fresh_4080, &a);
    E2E_CHECK(h != 0 && gs_join(h, NULL) == 0);
    check_fresh(&a, 4080);

    h = gs_spawn(at_boundary, &b);
    E2E_CHECK(h != 0 && gs_join(h, NULL) == 0);
    E2E_CHECK(b.empty.lim != (char *)UINTPTR_MAX);
    E2E_CHECK(b.empty.sp - b.empty.lim == 976); /* the premise of exact/over */
    E2E_CHECK(b.exact_addr == b.empty.lim);     /* base == lim: the fast path */
    E2E_CHECK(same(b.after_exact, b.empty));
    E2E_CHECK(!in_chunk(b.over_addr, b.empty)); /* 16 bytes short: a new chunk */
    E2E_CHECK(b.after_over.lim != b.empty.lim);
    E2E_CHECK(b.over_addr == b.after_over.sp - 992);

    /* The coroutines that owned those chunks are gone: a new one starts over. */
    h = gs_spawn(fresh_4080, &c);
    E2E_CHECK(h != 0 && gs_join(h, NULL) == 0);
    check_fresh(&c, 4080);

    pthread_t th;
    E2E_CHECK(pthread_create(&th, NULL, thread_main, &t) == 0);
    E2E_CHECK(pthread_join(th, NULL) == 0);
    check_fresh(&t, 4080);

    /* A large frame from the initial state: the general check; its exit
     * restores the state it found (runtime/side.h). */
    h = gs_spawn(fresh_4096, &big);
    E2E_CHECK(h != 0 && gs_join(h, NULL) == 0);
    E2E_CHECK(big.before.sp == NULL && big.before.lim == (char *)UINTPTR_MAX);
    E2E_CHECK(same(big.after, big.before));
    E2E_CHECK(big.addr != NULL);
    E2E_CHECK(big.addr2 == big.addr);
    E2E_CHECK(same(big.after2, big.before));
    printf("side_small_check: %lu checks passed\n", e2e_checks);
    return 0;
}
