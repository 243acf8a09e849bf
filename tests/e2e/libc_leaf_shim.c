/* libc_leaf_shim - an interposed malloc for e2e.libc_leaf_thunk_preload
 * (LD_PRELOAD; plain clang, not instrumented): it forwards to glibc and
 * counts. Its stack use is unknown to growstack, so the thunks of
 * tests/e2e/libc_leaf_thunk.c must reach it through the trampoline. */
#include <stddef.h>

void *__libc_malloc(size_t);
void __libc_free(void *);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);

unsigned long e2e_shim_mallocs;

void *malloc(size_t n)
{
    __atomic_add_fetch(&e2e_shim_mallocs, 1, __ATOMIC_RELAXED);
    return __libc_malloc(n);
}
void free(void *p) { __libc_free(p); }
void *calloc(size_t n, size_t k) { return __libc_calloc(n, k); }
void *realloc(void *p, size_t n) { return __libc_realloc(p, n); }
