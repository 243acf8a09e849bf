/* side_zero_store.h - the other object's half of side_zero_store.c. */
#ifndef SIDE_ZERO_STORE_H
#define SIDE_ZERO_STORE_H
#include <stddef.h>

struct szs {
    long len;
    long a;
    char buf[64];
    long tail;
};

/* Reads every byte of p (so the compiler keeps the writes). */
void szs_touch(const char *p, size_t n);
/* s->buf[3] * 1000 + s->a. */
long szs_read(const struct szs *s);
#endif
