/* mem.h - the runtime's own heap memory: its bookkeeping (coroutines, side
 * stack chunks, VLA blocks, channels, waits, timers, tables) comes from here.
 *
 * Invariants:
 *  - The runtime never calls the program's allocator. These functions call
 *    the C library's own allocator by its internal names (__libc_malloc,
 *    __libc_calloc, __libc_realloc, __libc_free, __libc_memalign), which a
 *    malloc the program defines does not replace. Such an allocator compiled
 *    by gscc is instrumented code: reached from the middle of a growth (on the
 *    system stack with the coroutine's guard still installed) its external
 *    calls would switch to the system stack again, and a growth inside the
 *    allocator would enter it again from inside itself (usage.md section 5).
 *  - Under LeakSanitizer (-fsanitize=leak: its run-time library is linked)
 *    they call malloc & co., LSan's: its leak check scans the blocks of its
 *    own heap for pointers, and the runtime's blocks hold the program's
 *    (channel buffers, side stack chunks). LSan's malloc is not the program's.
 *  - In a static link whose program defines malloc, the C library's
 *    allocator is not linked at all (its internal names are weak references
 *    here and stay unresolved): they call malloc & co., the program's, as
 *    before (usage.md section 5 states the limit).
 *  - A block from gs_mem_* is freed with gs_mem_free, never with free(), and
 *    never handed to the program to free: which allocator serves both is
 *    decided at the link, for the whole process.
 */
#ifndef GS_MEM_H
#define GS_MEM_H

#include <stddef.h>

__attribute__((visibility("hidden"), malloc)) void *gs_mem_malloc(size_t n);
__attribute__((visibility("hidden"), malloc)) void *gs_mem_calloc(size_t k, size_t n);
__attribute__((visibility("hidden"))) void *gs_mem_realloc(void *p, size_t n);
__attribute__((visibility("hidden"))) void gs_mem_free(void *p);
/* `align` a power of two; n a multiple of it is not required. */
__attribute__((visibility("hidden"), malloc)) void *gs_mem_aligned(size_t align, size_t n);

#endif
