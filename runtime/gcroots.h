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
 * use, and a thread stopped for a collection has its signal handler on the
 * runtime's sigaltstack, so libgc scans from there up to the thread's stack
 * base, across unmapped memory (SIGSEGV).
 *
 * Invariants:
 *  - libgc's API is referenced weakly: in a program without libgc every
 *    function here returns at once (one test of a symbol's address).
 *  - A region is in the table from when its memory holds a stack, side chunk,
 *    VLA block, channel buffer or signal stack until before the memory is
 *    unmapped, cached or freed: the collector never reads memory that is gone.
 *  - The table changes under its own mutex only (never a call into libgc from
 *    the runtime's slow paths); the collector's procedure reads it without the
 *    mutex, while the threads libgc knows are stopped. An entry never moves
 *    while present (removal leaves a tombstone; growth builds a new table and
 *    publishes it), so a thread stopped half-way through a change hides no
 *    other region. Regions are scanned eagerly (GC_push_all_eager), so none is
 *    read after the procedure returns; while it reads, a thread that removes
 *    a region (one libgc does not stop: unknown to it, or exiting) waits for
 *    it to finish before the memory goes (`reading`).
 *  - The procedure (GC_set_push_other_roots, installed once by gs_gcroots_init,
 *    chained to the previous one, which scans the thread stacks libgc knows)
 *    pushes every region of the table whole.
 *  - A thread stopped for a collection runs libgc's suspend handler on its own
 *    stack, not on the signal stack (signals.c): libgc scans a stopped thread
 *    from the stack pointer its handler sees up to the thread's stack base.
 *    That includes a stop where a coroutine has left (no coroutine current)
 *    but not yet switched, recognised by its stack pointer lying in a region
 *    of the table (gs_gcroots_holds). The
 *    registers the signal interrupted are in the signal frame, on the signal
 *    stack, which is a region of the table.
 *  - libgc must not be instrumented (a fatal error in gs_gcroots_init): its
 *    collections would run on coroutine stacks.
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

/* Whether p lies in a region of the table (a stack, side chunk, VLA block,
 * channel buffer or signal stack of the runtime's). Async-signal-safe, for the
 * suspend handler of a stopped thread (signals.c); reads the whole table. */
__attribute__((visibility("hidden"))) int gs_gcroots_holds(uintptr_t p);

/* Install the procedure (once per process; at a thread's start, where calling
 * libgc is safe), after checking that libgc is usable. */
__attribute__((visibility("hidden"))) void gs_gcroots_init(void);

/* libgc's suspend signal (GC_get_suspend_signal), 0 without libgc. */
__attribute__((visibility("hidden"))) int gs_gcroots_suspend_signal(void);

#endif
