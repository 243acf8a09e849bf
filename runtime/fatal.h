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

/* Like gs_fatal, but runs then() (if not NULL) after the line is written and
 * before the abort: the overflow reports print the statistics there. */
__attribute__((noreturn, format(printf, 2, 3), visibility("hidden")))
void gs_fatal_then(void (*then)(void), const char *fmt, ...);

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
