/* variadic_va_list_passed.h - shared by variadic_va_list_passed.c and
 * variadic_va_list_passed_lib.c. */
#ifndef VARIADIC_VA_LIST_PASSED_H
#define VARIADIC_VA_LIST_PASSED_H

#include <stdarg.h>
#include <stddef.h>

/* Bytes of each conversion level's frame in the formatter: 24 conversions
 * reach ~50 KiB, five doublings of a 2 KiB stack. */
#define VP_FRAME 2048

/* The lib: a vprintf of its own (%d %ld %s %c %.Nf %%), one conversion per
 * recursion level. vp_vformat takes the va_list, copies it with va_copy and
 * hands the copy on by address; vp_vformat_ptr reads through the pointer, so
 * the caller can go on reading its va_list afterwards (C11 7.16p3, footnote).
 * Both return the length written, or -1 for a bad conversion. */
int vp_vformat(char *buf, size_t len, const char *f, va_list ap);
int vp_vformat_ptr(char *buf, size_t len, const char *f, va_list *app);

#endif
