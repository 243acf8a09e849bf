/* api.h - the public API's glue (layer 6, docs/architecture.md): a thread joins
 * the runtime, the program's main and its threads' start routines run on
 * coroutines, and growstack.h's coroutine calls (spawn, join, resume, yield,
 * run, ...) are made of the core and the scheduler below.
 *
 * Invariants:
 *  - Once per process, before the first coroutine: the scheduler's hooks and the
 *    core's namer are installed (gs_coro_setup), and the statistics' report hook
 *    (stats.c).
 *  - A thread is initialized by gs_api_thread before it creates a coroutine or
 *    runs instrumented code that needs the runtime (a side frame); a pthread key
 *    destructor tears it down at exit, the layers' thread-exit functions from
 *    the top down: coroutines the thread left without a switch are abandoned,
 *    finished ones reaped, then the signal stack, side stacks, record cache, pin
 *    tally, segment caches, statistics and the handle table. A thread that exits
 *    with live coroutines is a fatal error.
 *  - main_co is the thread's main coroutine (gs_api_run_main) while it runs.
 */
#ifndef GS_API_H
#define GS_API_H

#include <stdint.h>
#include "growstack.h"

struct gs_block;
struct gs_coro;
struct gs_thread;

/* The calling thread's context, with the runtime initialized for the thread on
 * first use (configuration, handle tag, statistics, signal stack). */
__attribute__((visibility("hidden"))) struct gs_thread *gs_api_thread(void);

/* Run fn(a0, a1, a2) on a new coroutine, the thread's main coroutine, with the
 * given name, until it finishes, and return its result (runtime/main.c: main;
 * runtime/pthread.c: thread start routines). Must be called on the thread's own
 * stack, outside coroutines. If pthread_exit or a cancellation ends the thread
 * inside the coroutine, the coroutines it leaves are finished (gs_coro_abandon)
 * before the thread's cleanup continues, so TLS and thread-specific destructors
 * see a thread outside coroutines. Out of memory for the coroutine is fatal. */
__attribute__((visibility("hidden"))) uintptr_t gs_api_run_main(void *fn, uintptr_t a0,
                                                                uintptr_t a1, uintptr_t a2,
                                                                const char *name);

/* A blocking call's step asked the thread to wait (GS_BLOCK_THREAD, block.h):
 * run the thread's scheduler until b->wait is woken (EDEADLK when nothing can
 * ever wake it). Called by arch/x86_64/block_*.S on the thread's own stack. */
__attribute__((visibility("hidden"))) void gs_api_block_wait(struct gs_block *b);

/* gs_resume's C half (gs_resume is in assembly, arch/x86_64/switch_*.S):
 * reached by a tail jump, with gs_resume's caller's return address on top of
 * the stack, for every case but the common one; returns as gs_resume does. */
__attribute__((visibility("hidden"))) int gs_api_resume_slow(gs_handle h);

/* The calling thread's main coroutine, or NULL. */
__attribute__((visibility("hidden"))) struct gs_coro *gs_api_main_coro(void);

#endif
