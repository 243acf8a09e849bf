/* stats.h - the statistics of every thread, summed and printed (layer 6,
 * docs/architecture.md): gs_stats_get and gs_stats_print (growstack.h), the
 * GROWSTACK_STATS=1 report at exit and before an overflow report's abort.
 *
 * Invariants:
 *  - Each layer counts in the calling thread's gs_tls.stats and pin_tally
 *    (thread.h); nothing below this file prints them.
 *  - A thread's counters are summed from its registration (gs_stats_thread_init)
 *    until it exits (gs_stats_thread_exit), which folds them into a total of
 *    retired threads, under one lock. The sums read live threads' counters
 *    without their cooperation: a figure may lag behind by the increments in
 *    flight.
 */
#ifndef GS_STATS_H
#define GS_STATS_H

/* The calling thread's counters count from now on; it gets its number for
 * messages (gs_tls.index). */
__attribute__((visibility("hidden"))) void gs_stats_thread_init(void);

/* The calling thread exits: its counters go to the retired total. */
__attribute__((visibility("hidden"))) void gs_stats_thread_exit(void);

/* Once per process: print the statistics before an overflow report's abort
 * (fatal.h's report hook) and at exit under GROWSTACK_STATS=1. */
__attribute__((visibility("hidden"))) void gs_stats_install(void);

#endif
