/* fp_control_per_coroutine - a coroutine that changes its FP control state
 * (rounding mode through fesetround, FTZ through _mm_setcsr, x87 precision
 * through inline fldcw) keeps it across yields and growth, and no other
 * context sees it: gscc inserts gs_fp_private() before each of those, and from
 * then on the thread's switches save and restore MXCSR and the x87 control
 * word (docs/protocol.md 6.2). */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <fenv.h>
#include <growstack.h>
#include <xmmintrin.h>

#define FTZ 0x8000u
#define X87_PC 0x0300u /* precision control: 00 = single */

static unsigned short get_fcw(void)
{
    unsigned short v;
    __asm__ volatile("fnstcw %0" : "=m"(v));
    return v;
}

static void set_fcw(unsigned short v) { __asm__ volatile("fldcw %0" : : "m"(v)); }

static volatile double one = 1.0, three = 3.0;

/* 1/3 rounds down to nearest-even, so upward rounding gives a larger result. */
static double third(void) { return one / three; }

static void check_up(void *arg)
{
    E2E_EQ_LONG(fegetround(), FE_UPWARD);
    E2E_CHECK(third() > *(const double *)arg);
}

static void *rounder(void *arg)
{
    double nearest = *(const double *)arg;
    E2E_EQ_LONG(fegetround(), FE_TONEAREST); /* starts with the thread's state */
    E2E_EQ_LONG(fesetround(FE_UPWARD), 0);
    check_up(&nearest);
    gs_yield();
    check_up(&nearest);
    e2e_at_depths(check_up, &nearest); /* across growth, moves and segments */
    gs_yield();
    check_up(&nearest);
    return NULL;
}

static void *flusher(void *arg)
{
    (void)arg;
    _mm_setcsr(_mm_getcsr() | FTZ);
    gs_yield();
    E2E_CHECK(_mm_getcsr() & FTZ);
    return NULL;
}

static void *single_precision(void *arg)
{
    (void)arg;
    set_fcw((unsigned short)(get_fcw() & ~X87_PC));
    gs_yield();
    E2E_EQ_LONG(get_fcw() & X87_PC, 0);
    return NULL;
}

static void check_main(double nearest, unsigned short fcw)
{
    E2E_EQ_LONG(fegetround(), FE_TONEAREST);
    E2E_CHECK(third() == nearest);
    E2E_CHECK(!(_mm_getcsr() & FTZ));
    E2E_EQ_LONG(get_fcw(), fcw);
}

int main(void)
{
    double nearest = third();
    unsigned short fcw = get_fcw();
    gs_handle h[3] = {gs_spawn(rounder, &nearest), gs_spawn(flusher, NULL),
                      gs_spawn(single_precision, NULL)};
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 3; i++)
            if (!gs_done(h[i])) {
                E2E_EQ_LONG(gs_resume(h[i]), 0);
                check_main(nearest, fcw);
            }
    for (int i = 0; i < 3; i++)
        E2E_EQ_LONG(gs_join(h[i], NULL), 0);
    check_main(nearest, fcw);
    return e2e_done("fp_control_per_coroutine");
}
