/* variadic_vsnprintf_moves.h - shared by variadic_vsnprintf_moves.c and
 * variadic_vsnprintf_moves_lib.c. */
#ifndef VARIADIC_VSNPRINTF_MOVES_H
#define VARIADIC_VSNPRINTF_MOVES_H

#include <stdarg.h>
#include <stddef.h>

/* 200 frames of ~560 bytes: far beyond a 2 KiB initial stack. */
#define VM_DEPTH 200
#define VM_FORMAT "%d %s %.1f %ld %d %d %d %d %.2f %ld %d %s"

long vm_grow(long n);                                                  /* the test */
int vm_vformat(char *buf, size_t len, const char *f, va_list ap);      /* the lib  */

#endif
