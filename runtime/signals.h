/* signals.h - alternate signal stacks, the SIGSEGV handler and the sigaction()
 * interposition (layer 6; invariants at the top of signals.c). */
#ifndef GS_SIGNALS_H
#define GS_SIGNALS_H

/* Give the calling thread a sigaltstack (with the signal handlers' side area
 * beside it) unless it has a large enough one; install the SIGSEGV handler once
 * per process. Undone at thread exit. */
__attribute__((visibility("hidden"))) void gs_signals_thread_init(void);
__attribute__((visibility("hidden"))) void gs_signals_thread_exit(void);

#endif
