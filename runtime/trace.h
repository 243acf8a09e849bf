/* trace.h - GROWSTACK_TRACE=1: one line per runtime event on stderr, for
 * debugging the runtime itself ("growstack-trace: split ...", docs/usage.md).
 *
 * Invariants:
 *  - Off (the default), a trace point costs a load of gs_cfg.trace and a branch
 *    not taken: gs_trace evaluates none of its arguments.
 *  - A line is formatted by gs_vformat (fatal.h) into a 256-byte buffer in
 *    gs_trace_line's own frame and written with write(2): no malloc, no lock.
 *    Trace points run on the system stack (the growth slow paths).
 */
#ifndef GS_TRACE_H
#define GS_TRACE_H

#include "config.h"

#define gs_trace(...)                                                            \
    do {                                                                         \
        if (__builtin_expect(gs_cfg.trace, 0))                                   \
            gs_trace_line(__VA_ARGS__);                                          \
    } while (0)

/* Write "growstack-trace: " and the formatted line to stderr. */
__attribute__((format(printf, 1, 2), noinline, cold, visibility("hidden")))
void gs_trace_line(const char *fmt, ...);

#endif
