/* trace.c - GROWSTACK_TRACE lines (see trace.h). */
#include <stdarg.h>
#include <string.h>

#include "fatal.h"
#include "trace.h"

#define GS_TRACE_PREFIX "growstack-trace: "

void gs_trace_line(const char *fmt, ...)
{
    char line[256];
    size_t n = sizeof GS_TRACE_PREFIX - 1;
    memcpy(line, GS_TRACE_PREFIX, n);
    va_list ap;
    va_start(ap, fmt);
    n += gs_vformat(line + n, sizeof line - n - 1, fmt, ap);
    va_end(ap);
    line[n++] = '\n';
    gs_write_stderr(line, n);
}
