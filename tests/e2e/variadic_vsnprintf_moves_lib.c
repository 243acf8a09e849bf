/* variadic_vsnprintf_moves_lib.c - a va_list consumer in another object: to
 * the caller's escape analysis an unknown callee, which in C may only use the
 * va_list during the call (protocol.md 7.1), so the caller's frame stays
 * movable. It grows the stack again before reading it. */
#include <stdio.h>

#include "variadic_vsnprintf_moves.h"

int vm_vformat(char *buf, size_t len, const char *f, va_list ap)
{
    vm_grow(VM_DEPTH);
    return vsnprintf(buf, len, f, ap);
}
