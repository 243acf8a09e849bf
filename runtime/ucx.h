/* ucx.h - makecontext stacks: a side stack of their own (docs/protocol.md 7.4).
 *
 * gscc links executables with -Wl,--wrap=makecontext, --wrap=swapcontext and
 * --wrap=setcontext. A context that makecontext starts runs on a stack the
 * program gave it, as a callback runs on the system stack: inside the external
 * call (swapcontext, through the trampoline) of the coroutine or thread that
 * switched to it, with the guard at 0, unchecked and never moved. What such a
 * context does not share with its switcher is the side stack: its frames
 * interleave with the switcher's instead of nesting in them (the switcher's
 * functions return while the context's frames are live, and the reverse), so
 * one LIFO side stack for both would let either overwrite the other's escaping
 * locals. Each makecontext stack therefore gets a side stack of its own
 * (struct gs_side_stack, side.h), and the wrappers switch __gs_side with the
 * stack.
 *
 * Invariants:
 *  - A record per stack given to makecontext, [ss_sp, ss_sp + ss_size), kept in
 *    one process-wide table sorted by address under one lock; records never
 *    overlap: makecontext on memory that overlaps a record replaces it (the
 *    old context's stack was reused, so the old context is gone).
 *  - The running context is the one whose stack holds the wrapper's own frame
 *    (the wrappers run on the caller's stack when it is a makecontext stack:
 *    the guard is 0 there, and the trampoline tail-jumps); any other stack (a
 *    coroutine's via the system stack, the thread's) is *home*, the context of
 *    the coroutine or thread that made the external call. No "current" pointer
 *    is kept, so a longjmp or setcontext that leaves a context without a
 *    wrapper knowing cannot make the runtime misname the running one.
 *  - The target of a switch is named by the saved %rsp of its ucontext_t: in a
 *    record's stack, that record's; otherwise home. A context's side state is
 *    stored when a wrapper switches away from it and installed when one
 *    switches to it; home's is kept per thread.
 *  - After a context's function returns, its record is freed (its side frames
 *    have all returned) and __gs_side becomes that of uc_link's context, or
 *    home's when uc_link is NULL (the C library then exits the process), before
 *    the C library's own code continues at uc_link.
 *  - A record whose context is abandoned (never resumed, its function never
 *    returns) keeps its side chunks until makecontext reuses memory overlapping
 *    its stack.
 */
#ifndef GS_UCX_H
#define GS_UCX_H

/* The arguments makecontext passes on to the context's function: at most this
 * many (more is a fatal error naming the call). */
#define GS_UCX_MAX_ARGS 16

#endif
