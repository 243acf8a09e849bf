/* side_zero_store_lib.c - callees of side_zero_store.c in another object. */
#include "side_zero_store.h"

volatile unsigned szs_sink;

void szs_touch(const char *p, size_t n)
{
    unsigned h = 0;
    for (size_t i = 0; i < n; i++)
        h = h * 31 + (unsigned char)p[i];
    szs_sink = h;
}

long szs_read(const struct szs *s)
{
    return (long)s->buf[3] * 1000 + s->a;
}
