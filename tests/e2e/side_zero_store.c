/* side_zero_store - a program's own zero store into a local on the side stack
 * survives. gscc zeroes locals (-ftrivial-auto-var-init=zero); the optimiser
 * then deletes `s.buf[3] = 0` below as redundant with that zeroing (strlen in
 * between keeps the two from merging into one memset). The plugin, which runs
 * after the optimiser, once dropped the zeroing of locals it moved to the side
 * stack: buf[3] then held whatever the side stack held before, here the 0xAA
 * that dirty() leaves there. Both callees live in side_zero_store_lib.c, so
 * the locals' addresses escape and the locals go to the side stack. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include "side_zero_store.h"

__attribute__((noinline)) static void dirty(void)
{
    char junk[256];
    memset(junk, 0xAA, sizeof junk);
    szs_touch(junk, sizeof junk);
}

__attribute__((noinline)) static long zero_store(const char *p)
{
    struct szs s;
    long n = (long)strlen(p);
    s.buf[3] = 0;
    s.a = n;
    return szs_read(&s); /* s.buf[3] * 1000 + s.a */
}

/* Not a constant the compiler could fold strlen of. */
static const char *volatile message = "hello";

static void check(void *arg)
{
    (void)arg;
    for (int i = 0; i < 50; i++) {
        dirty();
        E2E_EQ_LONG(zero_store(message), 5);
    }
}

int main(void)
{
    check(NULL);
    e2e_at_depths(check, NULL);
    return e2e_done("side_zero_store");
}
