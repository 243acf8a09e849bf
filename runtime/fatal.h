/* fatal.h - the one fatal path and always-on assertions.
 *
 * Invariants:
 *  - Every unrecoverable error ends in gs_fatal(): one line on stderr prefixed
 *    "growstack: ", then abort(). Nothing else in the runtime calls abort().
 *  - gs_fatal() formats with its own small formatter and write(2): it uses a few
 *    hundred bytes of stack and no locks, so it is safe on a nearly full coroutine
 *    stack and in a signal handler. It understands %s %d %u %ld %lu %zu %llu %x %p %%.
 */
#ifndef GS_FATAL_H
#define GS_FATAL_H

#include <stddef.h>
#include <stdarg.h>

__attribute__((noreturn, format(printf, 1, 2), visibility("hidden")))
void gs_fatal(const char *fmt, ...);

/* An overflow report: like gs_fatal, but runs the report hook (if one is set)
 * after the line is written and before the abort. The top layer sets it to print
 * the statistics under GROWSTACK_STATS=1: atexit handlers do not run on abort. */
__attribute__((noreturn, format(printf, 1, 2), visibility("hidden")))
void gs_fatal_report(const char *fmt, ...);
__attribute__((visibility("hidden"))) void gs_fatal_set_report_hook(void (*hook)(void));

/* Like gs_fatal but exits with `status` instead of aborting (configuration errors). */
__attribute__((noreturn, format(printf, 2, 3), visibility("hidden")))
void gs_die(int status, const char *fmt, ...);

/* Format into buf (always NUL-terminated); returns the length. */
__attribute__((format(printf, 3, 0), visibility("hidden")))
size_t gs_vformat(char *buf, size_t len, const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4), visibility("hidden")))
size_t gs_format(char *buf, size_t len, const char *fmt, ...);

/* Write a whole string to stderr with write(2). */
__attribute__((visibility("hidden"))) void gs_write_stderr(const char *s, size_t n);

#define gs_assert(expr)                                                          \
    ((expr) ? (void)0                                                            \
            : gs_fatal("assertion failed: %s (%s:%d)", #expr, __FILE__, __LINE__))

#endif
