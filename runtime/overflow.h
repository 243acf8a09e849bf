/* overflow.h - which SIGSEGVs are stack overflows, and their report (layer 6;
 * the whole story is at the top of overflow.c).
 *
 * Invariants:
 *  - Only code without checks can run off the end of a stack; each stack it can
 *    run on ends in a page that faults. A fault is claimed only when the
 *    interrupted %rsp and the fault address say the code using that stack ran
 *    off its low end; anything else is left to the program.
 *  - A claimed overflow ends in one "growstack:" line and abort().
 */
#ifndef GS_OVERFLOW_H
#define GS_OVERFLOW_H

#include <signal.h>

/* Read the calling thread's own stack (pthread_getattr_np), the one overflow
 * reports recognise besides coroutine and signal stacks. */
__attribute__((visibility("hidden"))) void gs_overflow_thread_init(void);

/* Whether a SIGSEGV is a stack overflow (of the running coroutine's stack, the
 * thread's own stack or its signal stack `altstack`); if so, report it and
 * abort. Returns otherwise. Called by the SIGSEGV handler. */
__attribute__((visibility("hidden"))) void gs_overflow_check_fault(const siginfo_t *si,
                                                                   const void *uc,
                                                                   const stack_t *altstack);

#endif
