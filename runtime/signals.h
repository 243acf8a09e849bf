/* signals.h - alternate signal stacks, the SIGSEGV handler and the sigaction()
 * interposition (layer 6, docs/architecture.md).
 *
 * Invariants:
 *  - Every thread that runs coroutines has a sigaltstack of GS_ALTSTACK_SIZE
 *    bytes (signals.c), so the kernel never builds a signal frame on a (small)
 *    coroutine stack for handlers installed with SA_ONSTACK, and the SIGSEGV
 *    handler can run when the coroutine stack is exhausted.
 *  - The SIGSEGV handler only claims faults that are stack overflows (the running
 *    coroutine's stack, the thread's own stack, the signal stack: overflow.c);
 *    any other fault goes to the program's own SIGSEGV handler if it installed
 *    one, else to the previous disposition, so the program crashes as it would
 *    without growstack.
 *  - The signal stack has a PROT_NONE page below it, and the thread's side area
 *    for signal handlers (GS_SIDE_SIGNAL_SIZE, side.h) above it, in the same
 *    mapping: [guard page][signal stack][side area]. The side area's own limit
 *    check reports its exhaustion; a handler's stack overflow faults on the
 *    guard page, never in the side area (the stack grows down, away from it).
 *  - The runtime interposes sigaction(), signal() and bsd_signal() (the program's
 *    own definitions win over the C library's weak ones; gscc exports them so
 *    shared libraries bind to them too). Every handler the program installs runs
 *    through signals.c's dispatcher: on the sigaltstack (SA_ONSTACK is forced),
 *    with the guard at 0 (handlers are callbacks on the system stack: no
 *    prologue check may fire there) and with gs_tls.ext_target naming the
 *    handler, so yielding from it is a fatal error, and with __gs_side in the
 *    thread's signal area (side.h), so a handler never enters the side stack's
 *    slow path of the code it interrupted.
 *  - The exception: libgc's suspend signal (gcroots.h), whose handler runs on
 *    the thread's own stack (below the frame it interrupted when that is on the
 *    thread's stack, else at gs_tls.sys_sp), with the sigaltstack off until it
 *    returns: libgc takes the stack pointer its handler sees for the bottom of
 *    the stack it scans.
 *  - The previous action sigaction() reports is the program's own, or what was
 *    there before the runtime's SIGSEGV handler: never that handler, which a
 *    program chaining to the previous one would call back without end.
 */
#ifndef GS_SIGNALS_H
#define GS_SIGNALS_H

/* Give the calling thread a sigaltstack (with the signal handlers' side area
 * beside it) unless it has a large enough one; install the SIGSEGV handler once
 * per process. Once per thread (later calls return at once); undone at thread
 * exit. */
__attribute__((visibility("hidden"))) void gs_signals_thread_init(void);
__attribute__((visibility("hidden"))) void gs_signals_thread_exit(void);

#endif
