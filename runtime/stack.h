/* stack.h - stack growth: creating a coroutine's stack, __morestack's slow path,
 * resync after longjmp, dynamic allocas. The protocol is docs/protocol.md
 * section 5; this file implements it for the three modes.
 *
 * Invariants:
 *  - co->bottom, co->bottom->next, ... lists every segment the coroutine owns;
 *    co->top is one of them and holds %rsp while the coroutine runs.
 *  - While co runs instrumented code, %fs:0x70 == GS_SEG_GUARD(co->top), or for
 *    a fixed stack its watermark, gs_watermark_guard(co) >= GS_SEG_GUARD(top).
 *  - Pointers the runtime keeps into a coroutine stack, each with its fix-up when
 *    the stack moves: co->ctx.sp (only while suspended: shrink moves it by delta),
 *    seg->ret_sp of the segment *above* a moved one (none: only the top segment
 *    moves), gs_tls.sys_sp (never: it points into the system stack), the saved
 *    registers of setjmp buffers listed by the coroutine's jb nodes and the
 *    buffer pointers of those nodes (relocate_jmpbufs, protocol.md 7.3). Wait
 *    nodes, join results and saved contexts live in struct gs_coro on the heap;
 *    side frames (side.h) never point into the stack, except jmp_bufs.
 *  - co->stack_size (usable bytes of the live segments) <= GROWSTACK_MAX.
 *  - co->pin, when its segment is co->top, names a frame a walk found pinned;
 *    a move clears it.
 */
#ifndef GS_GROW_H
#define GS_GROW_H

#include <stdint.h>
#include "coro.h"

/* Give co its first stack and lay out its first context. 0 or an errno. */
__attribute__((visibility("hidden"))) int gs_stack_create(struct gs_thread *t,
                                                          struct gs_coro *co);

/* Release every segment and dynamic block of a finished coroutine. */
__attribute__((visibility("hidden"))) void gs_stack_release(struct gs_thread *t,
                                                            struct gs_coro *co);

/* __morestack's slow path, on the system stack. Fills regs->action, guard, pc, sp. */
__attribute__((visibility("hidden"))) void gs_grow(struct gs_morestack_regs *regs);

/* Make co->top the segment holding sp (after segmented returns or a longjmp),
 * keeping co->stack_size. 0 if sp is on none of co's segments. */
__attribute__((visibility("hidden"))) int gs_stack_sync_top(struct gs_coro *co, uintptr_t sp);

/* The guard value for a segment (top-of-segment under GROWSTACK_FORCE_MOVE). */
__attribute__((visibility("hidden"))) uintptr_t gs_stack_guard_for(const struct gs_seg *s);

/* Contiguous mode: halve a suspended coroutine's stack if it uses under a quarter
 * of it (GROWSTACK_SHRINK). Safe to call from any stack. */
__attribute__((visibility("hidden"))) void gs_stack_maybe_shrink(struct gs_coro *co);

/* Fixed stacks (the watermark, stack.c): the guard slot holds a watermark that moves down
 * as the stack deepens, so co->stack_size says how much of the mapping the
 * coroutine was given (stack_bytes, max_stack_bytes).
 *   init:    set the first watermark, count it; returns the guard to install.
 *   guard:   the guard for co's current watermark (after a longjmp: resync).
 *   lower:   move the watermark below address `below`; 0 if `below` is past the
 *            stack's real guard (an overflow: the mark goes to the real guard,
 *            all of the stack counts as given). Installs the new guard.
 *   grow:    gs_grow for a fixed stack: lower the watermark and resume the
 *            function in place, or report the overflow.
 *   release: uncount the stack (before its segment is freed). */
__attribute__((visibility("hidden"))) uintptr_t gs_watermark_init(struct gs_thread *t,
                                                                  struct gs_coro *co);
__attribute__((visibility("hidden"))) uintptr_t gs_watermark_guard(const struct gs_coro *co);
__attribute__((visibility("hidden"))) int gs_watermark_lower(struct gs_thread *t,
                                                             struct gs_coro *co,
                                                             uintptr_t below);
__attribute__((visibility("hidden"))) void gs_watermark_grow(struct gs_thread *t,
                                                             struct gs_coro *co,
                                                             struct gs_morestack_regs *r);
__attribute__((visibility("hidden"))) void gs_watermark_release(struct gs_thread *t,
                                                                struct gs_coro *co);

/* Report a stack overflow of the running coroutine and abort: what was in use
 * (from its base down to sp), what the next frame needed, the limit that
 * applied; then the statistics if GROWSTACK_STATS=1. */
__attribute__((noreturn, visibility("hidden")))
void gs_overflow(struct gs_coro *co, uintptr_t sp, size_t need, const char *why);

#endif
