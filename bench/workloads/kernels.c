/* kernels.c - compiled with -DKPREFIX=gs_ by gscc and -DKPREFIX=plain_ by clang-19
 * (see kernels.h). noinline keeps each call a real call in both builds. */
#include "kernels.h"

#include <pthread.h>
#include <stdlib.h>

#define KCAT2(a, b) a##b
#define KCAT(a, b) KCAT2(a, b)
#define K(name) KCAT(KPREFIX, name)

__attribute__((noinline)) long K(fib)(int n)
{
    return n < 2 ? n : K(fib)(n - 1) + K(fib)(n - 2);
}

__attribute__((noinline)) long K(tree_sum)(const struct gs_bench_tree *t)
{
    if (!t)
        return 0;
    return t->value + K(tree_sum)(t->left) + K(tree_sum)(t->right);
}

__attribute__((noinline)) long K(call_plain_lib)(long n)
{
    long s = 0;
    for (long i = 0; i < n; i++)
        s = plainlib_add(s, i);
    return s;
}

__attribute__((noinline)) long K(call_other_file)(long n)
{
    long s = 0;
    for (long i = 0; i < n; i++)
        s = K(xfile_add)(s, i);
    return s;
}

__attribute__((noinline)) long K(call_libc)(long n)
{
    long s = 0;
    for (long i = 0; i < n; i++)
        s += labs(s - i) & 7;
    return s;
}

/* malloc and free: in the gs_ build their thunks call them on the coroutine
 * stack when it has room (protocol.md 4.1a), else through the trampoline. */
char *volatile K(malloc_sink);

__attribute__((noinline)) long K(call_malloc)(long n)
{
    long s = 0;
    for (long i = 0; i < n; i++) {
        char *p = malloc(32 + (size_t)(i & 15));
        K(malloc_sink) = p; /* kept: the pair may not be elided */
        s += p != NULL;
        free(p);
    }
    return s;
}

/* pthread_mutex_lock and unlock, uncontended: not in gs_libc_leaves.h (their
 * assertion path is not bounded), so always the trampoline: the reference for
 * the malloc pair. */
static pthread_mutex_t K(mutex) = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) long K(call_mutex)(long n)
{
    long s = 0;
    for (long i = 0; i < n; i++) {
        s += pthread_mutex_lock(&K(mutex)) == 0;
        pthread_mutex_unlock(&K(mutex));
    }
    return s;
}

/* A local whose address escapes (into a global): in the gs_ build it lives in
 * a side frame (docs/protocol.md 7). */
int *volatile K(side_sink);

__attribute__((noinline)) long K(side_leaf)(long i)
{
    int x = (int)i;
    K(side_sink) = &x;
    return *K(side_sink);
}

/* n calls of side_leaf from a frame without a side frame of its own, in a
 * coroutine that has no live side frame either: the first call finds the side
 * state at {NULL, UINTPTR_MAX} and takes __gs_side_alloc; it leaves the first
 * chunk current and empty (protocol.md 7.2), and the later calls pass the
 * inline check. (Before that rule every call took __gs_side_alloc's assembly
 * fast path.) */
__attribute__((noinline)) long K(call_side_leaf)(long n)
{
    long s = 0;
    for (long i = 0; i < n; i++)
        s += K(side_leaf)(i & 1023);
    return s;
}

/* The same loop in a frame that has a side frame itself: the calls find room
 * in the current chunk, the inline fast path. */
__attribute__((noinline)) long K(call_side_leaf_nested)(long n)
{
    long s = 0, mine = 0;
    K(side_sink) = (int *)&mine;
    for (long i = 0; i < n; i++)
        s += K(side_leaf)(i & 1023);
    return s + mine;
}

/* x's address goes to another file: in the gs_ build x lives in a side frame
 * (protocol.md 7). */
__attribute__((noinline)) static long K(side_local)(long i)
{
    long x = i;
    return K(xfile_peek)(&x);
}

/* The same, but the callee is declared noescape: x stays in the frame. */
__attribute__((noinline)) static long K(stack_local)(long i)
{
    long x = i;
    return K(xfile_peek_ne)(&x);
}

__attribute__((noinline)) long K(call_side_local)(long n)
{
    long s = 0;
    for (long i = 0; i < n; i++)
        s += K(side_local)(i);
    return s;
}

__attribute__((noinline)) long K(call_stack_local)(long n)
{
    long s = 0;
    for (long i = 0; i < n; i++)
        s += K(stack_local)(i);
    return s;
}

/* The loop itself has a side frame (its own local escapes), so the side stack
 * is not empty when side_local runs: every check takes the inline fast path.
 * In call_side_local it is empty at each call: each side frame is allocated
 * by __gs_side_alloc (the runtime's assembly fast path, a cached chunk). */
__attribute__((noinline)) long K(call_side_local_nested)(long n)
{
    long s = 0;
    long anchor = n;
    s += K(xfile_peek)(&anchor);
    for (long i = 0; i < n; i++)
        s += K(side_local)(i);
    return s;
}
