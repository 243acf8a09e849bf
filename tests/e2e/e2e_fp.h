/* e2e_fp.h - whether a thread's contexts share one FP control state
 * (protocol.md 6.2): a coroutine changes its MXCSR rounding mode where gscc
 * cannot see it (a naked function, which the plugin does not scan) and yields;
 * its resumer then sees that mode while the state is shared, its own once
 * gs_fp_private() made the states private. Included by the FP-control tests
 * after e2e.h and growstack.h. */
#ifndef E2E_FP_H
#define E2E_FP_H

#define RC_MASK 0x6000u
#define RC_DOWN 0x2000u

__attribute__((naked, unused)) static void set_csr(const unsigned *v)
{
    __asm__("ldmxcsr (%rdi)\n\tret");
}

__attribute__((unused)) static unsigned get_csr(void)
{
    unsigned v;
    __asm__ volatile("stmxcsr %0" : "=m"(v));
    return v;
}

__attribute__((unused)) static void *e2e_fp_rounder(void *arg)
{
    (void)arg;
    unsigned v = (get_csr() & ~RC_MASK) | RC_DOWN;
    set_csr(&v);
    gs_yield();
    return NULL;
}

/* The resumer's rounding mode (RC_MASK bits) after a coroutine rounded down
 * unseen and yielded: RC_DOWN while the state is shared, 0 (to nearest) when
 * private. */
__attribute__((unused)) static unsigned after_unseen_change(void)
{
    unsigned mine = get_csr();
    gs_handle h = gs_spawn(e2e_fp_rounder, NULL);
    E2E_CHECK(h != 0);
    E2E_EQ_LONG(gs_resume(h), 0);
    unsigned seen = get_csr() & RC_MASK;
    set_csr(&mine);
    E2E_EQ_LONG(gs_resume(h), 0);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    return seen;
}

#endif
