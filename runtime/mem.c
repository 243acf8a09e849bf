/* mem.c - the runtime's heap memory from the C library's own allocator (mem.h). */
#include <stdlib.h>

#include "mem.h"

/* glibc exports its allocator under these names as well (GLIBC_2.2.5); no
 * header declares them. Weak: a static link leaves them out when the program
 * defines malloc. */
extern void *__libc_malloc(size_t n) __attribute__((weak));
extern void *__libc_calloc(size_t k, size_t n) __attribute__((weak));
extern void *__libc_realloc(void *p, size_t n) __attribute__((weak));
extern void __libc_free(void *p) __attribute__((weak));
extern void *__libc_memalign(size_t align, size_t n) __attribute__((weak));
/* Defined by LeakSanitizer's run-time library (mem.h). */
extern void __lsan_register_root_region(const void *p, size_t size) __attribute__((weak));

/* Link-time constants: the choice never changes while the process runs. */
static inline int libc_own(void)
{
    return __libc_malloc && __libc_calloc && __libc_realloc && __libc_free && __libc_memalign &&
           !__lsan_register_root_region;
}

void *gs_mem_malloc(size_t n)
{
    return libc_own() ? __libc_malloc(n) : malloc(n);
}

void *gs_mem_calloc(size_t k, size_t n)
{
    return libc_own() ? __libc_calloc(k, n) : calloc(k, n);
}

void *gs_mem_realloc(void *p, size_t n)
{
    return libc_own() ? __libc_realloc(p, n) : realloc(p, n);
}

void gs_mem_free(void *p)
{
    if (libc_own())
        __libc_free(p);
    else
        free(p);
}

void *gs_mem_aligned(size_t align, size_t n)
{
    if (libc_own())
        return __libc_memalign(align, n);
    /* aligned_alloc wants a multiple of the alignment. */
    return aligned_alloc(align, (n + align - 1) & ~(align - 1));
}
