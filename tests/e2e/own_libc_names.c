/* own_libc_names - a program that defines C library functions the runtime
 * itself calls in the middle of a growth (mmap, munmap, mremap, madvise,
 * mprotect: a tracking or sandboxing layer of its own), in code gscc
 * compiles, runs in every mode.
 *
 * The runtime's calls reach the program's definitions (they are the only
 * ones the link has); the growth's C half runs them on the system stack.
 * Before 2026-12-07 it ran them with the coroutine's guard in place, so
 * their prologue checks compared a system stack address with it: on a
 * thread whose stack lies below the coroutine stacks (here a thread made on
 * a stack mapped at a low address) every check failed and __morestack was
 * entered from inside __morestack. The C half now runs with the guard at 0
 * (docs/protocol.md 5). Checked: recursion with setjmp buffers and escaping
 * locals that grows (segmented: splits; contiguous: moves) the stacks of the
 * main coroutine, of spawned coroutines and of that thread, each frame's
 * values checked on the way back; the program's functions served the
 * runtime's calls and were never entered again from inside themselves.
 */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <growstack.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "e2e_stats.h"

static long own_calls;
static __thread int own_inside;

static void own_enter(void)
{
    if (own_inside) {
        static const char m[] = "own_libc_names: FAILED: entered again from inside itself\n";
        (void)!write(2, m, sizeof m - 1);
        _exit(3);
    }
    own_inside = 1;
    volatile char pad[256]; /* a frame of some size, and so a check */
    pad[own_calls & 255] = 1;
}

static void own_leave(void)
{
    __atomic_add_fetch(&own_calls, 1, __ATOMIC_RELAXED);
    own_inside = 0;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    own_enter();
    void *p = (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
    own_leave();
    return p;
}

int munmap(void *addr, size_t len)
{
    own_enter();
    int r = (int)syscall(SYS_munmap, addr, len);
    own_leave();
    return r;
}

void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
    void *new_addr = NULL;
    if (flags & MREMAP_FIXED) {
        va_list ap;
        va_start(ap, flags);
        new_addr = va_arg(ap, void *);
        va_end(ap);
    }
    own_enter();
    void *p = (void *)syscall(SYS_mremap, old, old_len, new_len, flags, new_addr);
    own_leave();
    return p;
}

int madvise(void *addr, size_t len, int advice)
{
    own_enter();
    int r = (int)syscall(SYS_madvise, addr, len, advice);
    own_leave();
    return r;
}

int mprotect(void *addr, size_t len, int prot)
{
    own_enter();
    int r = (int)syscall(SYS_mprotect, addr, len, prot);
    own_leave();
    return r;
}

__attribute__((noinline)) static long level(int d)
{
    jmp_buf jb;
    if (setjmp(jb))
        e2e_fail(__FILE__, __LINE__, "nothing longjmps here");
    volatile char buf[200];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)(d + i);
    long escaping = d;
    e2e_escape(&escaping);
    long below = d > 0 ? level(d - 1) : 0;
    for (size_t i = 0; i < sizeof buf; i++)
        if (buf[i] != (char)(d + i))
            e2e_fail(__FILE__, __LINE__, "level %d: byte %zu changed", d, i);
    E2E_EQ_LONG(escaping, d);
    return below + d;
}

#define DEPTH 800
#define EXPECTED ((long)DEPTH * (DEPTH + 1) / 2)

static void *run(void *arg)
{
    (void)arg;
    return (void *)level(DEPTH);
}

/* On the thread: its own recursion, and coroutines of its own. */
static void *thread_main(void *arg)
{
    (void)arg;
    E2E_EQ_LONG((long)run(NULL), EXPECTED);
    for (int i = 0; i < 3; i++) {
        gs_handle h = gs_spawn(run, NULL);
        E2E_CHECK(h != 0);
        void *r;
        E2E_EQ_LONG(gs_join(h, &r), 0);
        E2E_EQ_LONG((long)r, EXPECTED);
    }
    return NULL;
}

int main(void)
{
    struct e2e_cfg cfg = e2e_cfg();
    struct gs_stats before = e2e_stats();
    E2E_EQ_LONG(level(DEPTH), EXPECTED); /* main's coroutine */
    gs_handle h = gs_spawn(run, NULL);
    void *r;
    E2E_EQ_LONG(gs_join(h, &r), 0);
    E2E_EQ_LONG((long)r, EXPECTED);

    /* A thread whose stack lies below every mapping the runtime makes. */
    size_t size = (size_t)1 << 20;
    void *low = (void *)syscall(SYS_mmap, (void *)0x10000000, size, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    E2E_CHECK_MSG(low != MAP_FAILED, "a stack at a low address: %s", strerror(errno));
    E2E_CHECK((uintptr_t)low < (uintptr_t)&cfg);
    pthread_attr_t at;
    E2E_EQ_LONG(pthread_attr_init(&at), 0);
    E2E_EQ_LONG(pthread_attr_setstack(&at, low, size), 0);
    pthread_t th;
    E2E_EQ_LONG(pthread_create(&th, &at, thread_main, NULL), 0);
    E2E_EQ_LONG(pthread_join(th, NULL), 0);
    pthread_attr_destroy(&at);

    E2E_CHECK_MSG(own_calls > 0, "the runtime never called the program's mmap & co.");
    struct gs_stats d = e2e_stats_since(&before);
    E2E_CHECK_GREW(cfg, d);
    return e2e_done("own_libc_names");
}
