/* variadic_vsnprintf_moves_lib.c - a va_list consumer in another object: to
 * the caller's escape analysis it may keep the va_list (no nocapture), so the
 * caller's frame is pinned. It grows the stack again before reading it. */
#include <stdio.h>

#include "variadic_vsnprintf_moves.h"

int vm_vformat(char *buf, size_t len, const char *f, va_list ap)
{
    vm_grow(VM_DEPTH);
    return vsnprintf(buf, len, f, ap);
}
