/* own_memfuncs - a program that defines memcpy, memmove and memset in code gscc
 * compiles (an embedded-style C library of its own, a checked copy) runs in
 * every mode: the runtime's own references to those names are renamed to its
 * own functions when libgrowstack.a is made (arch/x86_64/mem_*.S,
 * runtime/CMakeLists.txt).
 *
 * Before, a move copied the stack with the program's memcpy, on the system
 * stack in the middle of the growth, where instrumented code's prologue check
 * compares a system stack address with the coroutine's guard: on a thread
 * whose system stack lies below the coroutine's block the check failed and
 * __morestack was entered from inside __morestack ("growstack: __morestack:
 * %rsp ... is on none of the coroutine's segments", contiguous mode, found
 * 2026-12-06). Checked here: recursion that grows (and, in contiguous mode,
 * moves) the stacks of the main coroutine, of spawned coroutines and of a
 * thread's, with setjmp buffers and escaping locals in every frame, each
 * frame's bytes checked on the way back; the program's functions are the ones
 * its own calls reach, and they are never entered again from inside
 * themselves. Built with -fno-builtin, as such programs are: the compiler
 * then leaves the calls to them where they are written.
 */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <growstack.h>
#include <pthread.h>
#include <setjmp.h>

#include "e2e_stats.h"

static long own_copies, own_sets;
static __thread int own_inside;

static void own_enter(void)
{
    if (own_inside) {
        static const char m[] = "own_memfuncs: FAILED: entered again from inside itself\n";
        (void)!write(2, m, sizeof m - 1);
        _exit(3);
    }
    own_inside = 1;
}

void *memcpy(void *d, const void *s, size_t n)
{
    own_enter();
    volatile char pad[48]; /* a frame of some size, and so a check */
    pad[n % 48] = 1;
    char *a = d;
    const char *b = s;
    while (n--)
        *a++ = *b++;
    __atomic_add_fetch(&own_copies, 1, __ATOMIC_RELAXED);
    own_inside = 0;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    own_enter();
    char *a = d;
    const char *b = s;
    if (a < b)
        while (n--)
            *a++ = *b++;
    else
        for (a += n, b += n; n--;)
            *--a = *--b;
    __atomic_add_fetch(&own_copies, 1, __ATOMIC_RELAXED);
    own_inside = 0;
    return d;
}

void *memset(void *d, int c, size_t n)
{
    own_enter();
    char *a = d;
    while (n--)
        *a++ = (char)c;
    __atomic_add_fetch(&own_sets, 1, __ATOMIC_RELAXED);
    own_inside = 0;
    return d;
}

/* Every level: a setjmp buffer live across the deeper levels, an escaping
 * local, a buffer filled with the program's memset and copied with its
 * memcpy, checked after the deeper levels return. */
__attribute__((noinline)) static long level(int d)
{
    jmp_buf jb;
    if (setjmp(jb))
        e2e_fail(__FILE__, __LINE__, "nothing longjmps here");
    char buf[96], copy[96];
    memset(buf, d & 0x7f, sizeof buf);
    memcpy(copy, buf, sizeof copy);
    long escaping = d;
    e2e_escape(&escaping);
    long below = d > 0 ? level(d - 1) : 0;
    for (size_t i = 0; i < sizeof buf; i++)
        if (buf[i] != (char)(d & 0x7f) || copy[i] != (char)(d & 0x7f))
            e2e_fail(__FILE__, __LINE__, "level %d: byte %zu changed", d, i);
    E2E_EQ_LONG(escaping, d);
    return below + (d & 0x7f);
}

static long expected(int d)
{
    long sum = 0;
    for (int k = 0; k <= d; k++)
        sum += k & 0x7f;
    return sum;
}

#define DEPTH 600

static void *run(void *arg)
{
    (void)arg;
    return (void *)level(DEPTH);
}

int main(void)
{
    struct e2e_cfg cfg = e2e_cfg();
    struct gs_stats before = e2e_stats();
    E2E_EQ_LONG(level(DEPTH), expected(DEPTH)); /* main's coroutine */
    for (int i = 0; i < 3; i++) {
        gs_handle h = gs_spawn(run, NULL);
        E2E_CHECK(h != 0);
        void *r;
        E2E_EQ_LONG(gs_join(h, &r), 0);
        E2E_EQ_LONG((long)r, expected(DEPTH));
    }
    pthread_t th;
    E2E_EQ_LONG(pthread_create(&th, NULL, run, NULL), 0);
    void *tr;
    E2E_EQ_LONG(pthread_join(th, &tr), 0);
    E2E_EQ_LONG((long)tr, expected(DEPTH));
    /* The program's functions served its own calls. */
    E2E_CHECK(own_copies >= 5 * (DEPTH + 1));
    E2E_CHECK(own_sets >= 5 * (DEPTH + 1));
    struct gs_stats d = e2e_stats_since(&before);
    E2E_CHECK_GREW(cfg, d);
    return e2e_done("own_memfuncs");
}
