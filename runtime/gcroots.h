/* gcroots.h - the runtime's memory that may hold a program's pointers, shown
 * to the Boehm-Demers-Weiser collector (libgc) when the program links it
 * (layer 1, docs/architecture.md; docs/usage.md section 5).
 *
 * libgc finds live objects from the roots it knows: the data of loaded
 * objects, and each thread's stack from its stack pointer up to the stack's
 * base. A gscc-built program keeps its locals elsewhere: on coroutine stacks
 * (blocks the runtime maps), on side stacks and in heap blocks for VLAs (which
 * it allocates with malloc, which libgc does not scan), and while a thread runs
 * a coroutine its stack pointer is not on the thread's stack at all. Without
 * this module an object that only such a local points to is collected while in
 * use, and a thread stopped for a collection inside a coroutine has its signal
 * handler on the runtime's sigaltstack, so libgc scans from there up to the
 * thread's stack base, across unmapped memory (SIGSEGV).
 *
 * Invariants:
 *  - libgc's API is referenced weakly: in a program without libgc every
 *    function here returns at once (one test of a symbol's address).
 *  - A region is in the table from when its memory holds a stack, side chunk
 *    or VLA block until before the memory is unmapped, cached or freed: the
 *    collector never reads memory that is gone.
 *  - The table changes only under libgc's allocation lock (so never during a
 *    collection, which holds it) and the table's own mutex (libgc takes no lock
 *    before it is initialised). An entry never moves while it is present
 *    (removal leaves a tombstone; growth builds a new table and publishes it),
 *    so a collection that runs while a thread that was changing the table is
 *    stopped elsewhere sees every other region.
 *  - The collector's push-other-roots procedure (installed once per process,
 *    chained to the previous one) pushes every region of the table whole, and
 *    for every thread the runtime initialised other than the collecting one the
 *    live part of its own stack: from the stack pointer the last signal
 *    interrupted (when it lies on that stack) or from gs_tls.sys_sp (when the
 *    signal interrupted a coroutine) up to the stack's base.
 *  - A thread the runtime initialised registers its sigaltstack (with the
 *    signal handlers' side area above it) with libgc (GC_register_altstack),
 *    when libgc knows the thread (or, before libgc is initialised, for the
 *    main thread): libgc then scans only the signal stack of a thread stopped
 *    on it, which holds the interrupted registers.
 */
#ifndef GS_GCROOTS_H
#define GS_GCROOTS_H
#include <stddef.h>
#include <stdint.h>

/* Whether the program links libgc. */
__attribute__((visibility("hidden"))) int gs_gcroots_active(void);

/* [lo, lo + size) holds memory the collector must scan / no longer. */
__attribute__((visibility("hidden"))) void gs_gcroots_add(const void *lo, size_t size);
__attribute__((visibility("hidden"))) void gs_gcroots_remove(const void *lo, size_t size);

/* The calling thread joins (leaves) the runtime: its own stack's base is found
 * here, *sys_sp is read during collections (gs_tls.sys_sp), and its signal
 * stack [alt, alt + alt_size) is registered with libgc. */
__attribute__((visibility("hidden"))) void gs_gcroots_thread_init(char *const *sys_sp, void *alt,
                                                                  size_t alt_size);
__attribute__((visibility("hidden"))) void gs_gcroots_thread_exit(void);

/* The signal dispatcher, before a program's handler: the stack pointer the
 * signal interrupted. */
extern __thread uintptr_t gs_gcroots_sig_sp __attribute__((tls_model("initial-exec")));
static inline void gs_gcroots_note_signal(uintptr_t sp)
{
    gs_gcroots_sig_sp = sp;
}

#endif
