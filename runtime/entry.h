/* entry.h - the C halves of the runtime's on-stack entry points (layer 6,
 * docs/architecture.md): __morestack (arch/x86_64/morestack_*.S) and the
 * ON_SYSTEM_STACK routines there (__morestack_allocate_stack_space,
 * gs_stack_resync, the __gs_dyn_* and __gs_side_alloc slow paths). gs_yield's and gs_ctx_entry's
 * C halves are the core's (coro.h).
 *
 * Invariants:
 *  - Each runs on the thread's system stack, or on the current stack when that
 *    is already the system stack (guard 0); an ON_SYSTEM_STACK half receives
 *    its entry point's frame pointer as `frame` (gs_arch_entry_caller_sp) and
 *    the caller's frame pointer as caller_rbp.
 *  - Each finds the running coroutine (gs_tls.cur) and hands its stack to the
 *    stack layer (stack.h): the layers below never look for the running
 *    coroutine themselves. Only the arch layer calls these.
 */
#ifndef GS_ENTRY_H
#define GS_ENTRY_H

#include <stddef.h>
#include <stdint.h>
#include "gs_arch.h"

/* __morestack: grow the running coroutine's stack (stack.h). */
__attribute__((visibility("hidden"))) void gs_entry_morestack(struct gs_morestack_regs *regs);

/* __morestack_allocate_stack_space(size) and the __gs_dyn_* slow paths
 * (protocol.md 5.5): on the running coroutine's stack; outside one (guard 0) a
 * block request is fatal and the rest do nothing. */
__attribute__((visibility("hidden"))) void *gs_entry_dyn_alloc(size_t size, uintptr_t caller_rbp,
                                                              uintptr_t frame);
__attribute__((visibility("hidden"))) void *gs_entry_dyn_mark(void *unused, uintptr_t caller_rbp,
                                                             uintptr_t frame);
__attribute__((visibility("hidden"))) void gs_entry_dyn_release(void *mark, uintptr_t caller_rbp,
                                                               uintptr_t frame);
__attribute__((visibility("hidden"))) void gs_entry_dyn_frame_exit(void *unused,
                                                                  uintptr_t caller_rbp,
                                                                  uintptr_t frame);

/* __gs_side_alloc's C half (protocol.md 7.2): a side frame for the running
 * code, on the running coroutine's side stack or the thread's own. */
__attribute__((visibility("hidden"))) struct gs_side_alloc_result
gs_entry_side_alloc(size_t size, size_t align, uintptr_t caller_rbp);

/* gs_stack_resync (protocol.md 5.6): after setjmp returned, maybe through a
 * longjmp, make the segment that holds the caller current and install its
 * guard; a landing on another coroutine's stack or on a freed one is fatal. */
__attribute__((visibility("hidden"))) void gs_entry_resync(void *unused, uintptr_t caller_rbp,
                                                          uintptr_t frame);

#endif
