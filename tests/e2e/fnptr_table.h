/* fnptr_table.h - the plain (uninstrumented) half of fnptr_table_mixed:
 * fnptr_table_plain.c is compiled by plain clang-19, no plugin, no checks. */
#ifndef FNPTR_TABLE_H
#define FNPTR_TABLE_H

#include <stddef.h>

long plain_scale(long x);                 /* 3x + 1 */
long plain_sum8(long a, long b, long c, long d, long e, long f, long g, long h);
double plain_hypot2(double x, double y);  /* x*x + y*y */
size_t plain_strlen(const char *s);
long plain_vsum(int n, ...);              /* sum of n longs */
/* Calls fn(x) from uninstrumented code: instrumented callbacks run on the
 * system stack. */
long plain_apply(long (*fn)(long), long x);
/* 1 KiB of frame per level, depth levels: deep on the system stack. */
long plain_deep(int depth);

#endif
