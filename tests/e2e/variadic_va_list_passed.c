/* variadic_va_list_passed - a variadic function's va_list passed to a user
 * function of another object, which reads it while the stack moves under it
 * (docs/protocol.md 7.1). A variadic body's va_list holds addresses of the
 * variadic arguments (the shell's register save area, the caller's stack
 * arguments), all on the moving stack. Passed to any function it stays in the
 * body's frame, unpinned: the callee's pointer to it and its own words are
 * relocated with the stack. Runs with GROWSTACK_POISON=1 in every
 * configuration, so a stale va_list, or a stale pointer to one, reads poison;
 * under contiguous-forced the stack moves at every call.
 *  - vp_sprintf: the body passes its va_list by value to vp_vformat
 *    (variadic_va_list_passed_lib.c), which va_copies it and hands the copy on
 *    by address to a formatter reading one argument per recursion level,
 *    each level 2 KiB deeper: reads before, between and after several moves;
 *  - vp_sprintf2: the body passes a pointer to its va_list (vp_vformat_ptr
 *    reads the first part of the arguments, deep), then reads two arguments
 *    itself after the moves, then passes the va_list on for the rest.
 * 24 arguments after the format: integers and doubles beyond the registers,
 * so the va_list reads the caller's stack arguments too. In contiguous mode
 * the calls move the stack several times and pin nothing. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#include <stdarg.h>

#include "variadic_va_list_passed.h"

__attribute__((noinline)) int vp_sprintf(char *buf, size_t len, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vp_vformat(buf, len, f, ap);
    va_end(ap);
    return n;
}

/* f1 covers the arguments before a double and an int this function reads
 * itself, after vp_vformat_ptr moved the stack; f2 the rest. */
__attribute__((noinline)) int vp_sprintf2(char *buf, size_t len, long *mid_l, double *mid_d,
                                          const char *f1, const char *f2, ...)
{
    va_list ap;
    va_start(ap, f2);
    int n = vp_vformat_ptr(buf, len, f1, &ap);
    if (n < 0)
        return n;
    *mid_d = va_arg(ap, double);
    *mid_l = va_arg(ap, int);
    int m = vp_vformat(buf + n, len - (size_t)n, f2, ap);
    va_end(ap);
    return m < 0 ? m : n + m;
}

#define VP_FORMAT                                                                          \
    "%d %s %.1f %ld %c %d %.2f %d %d %ld %.3f %s | %.1f %d %.1f %ld %.1f %c %.1f %d %.4f "    \
    "%ld %.1f %s %%"
#define VP_ARGS                                                                            \
    1, "two", 3.5, 4L, 'e', 6, 7.25, 8, 9, 10L, 11.125, word, 13.5, -14, 15.5, 16L, 17.5, \
        'r', 19.5, 20, 21.0625, -22L, 23.5, "twenty-four"
static const char expect[] =
    "1 two 3.5 4 e 6 7.25 8 9 10 11.125 twelve | 13.5 -14 15.5 16 17.5 r 19.5 20 21.0625 -22 "
    "23.5 twenty-four %";

/* The same arguments split around the two vp_sprintf2 reads itself. */
#define VP_FORMAT1 "%d %s %.1f %ld %c %d %.2f %d %d %ld %.3f %s | "
#define VP_FORMAT2 "%.1f %ld %.1f %c %.1f %d %.4f %ld %.1f %s %%"
static const char expect2[] =
    "1 two 3.5 4 e 6 7.25 8 9 10 11.125 twelve | 15.5 16 17.5 r 19.5 20 21.0625 -22 23.5 "
    "twenty-four %";

struct vp_case {
    int by_address;
    char buf[256];
    int n;
    long mid_l;
    double mid_d;
};

/* Each case in a fresh coroutine, whose stack starts at the configured
 * initial size: every case grows (moves) it again. */
static void *vp_run(void *arg)
{
    struct vp_case *c = arg;
    char word[8] = "twelve";
    if (!c->by_address)
        c->n = vp_sprintf(c->buf, sizeof c->buf, VP_FORMAT, VP_ARGS);
    else
        c->n = vp_sprintf2(c->buf, sizeof c->buf, &c->mid_l, &c->mid_d, VP_FORMAT1, VP_FORMAT2,
                           VP_ARGS);
    return NULL;
}

static struct gs_stats vp_case_run(struct vp_case *c, const char *what, struct e2e_cfg m)
{
    struct gs_stats before = e2e_stats();
    gs_handle h = gs_spawn(vp_run, c);
    E2E_CHECK(h != 0);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    struct gs_stats d = e2e_stats_since(&before);
    e2e_print_growth(what, &d);
    if (m.contiguous) {
        /* ~50 KiB from a 2 KiB stack; under forced moves, one per call. */
        E2E_CHECK(d.moves >= 3);
        E2E_EQ_LONG(d.pins, 0);
    }
    if (m.segmented)
        E2E_CHECK(d.splits > 0);
    E2E_EQ_LONG(d.unknown_frames, 0);
    return d;
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    static struct vp_case c;

    for (int round = 0; round < 2; round++) {
        memset(&c, 0, sizeof c);
        vp_case_run(&c, "variadic_va_list_passed: by value", m);
        E2E_EQ_STR(c.buf, expect);
        E2E_EQ_LONG(c.n, (long)strlen(expect));
    }

    memset(&c, 0, sizeof c);
    c.by_address = 1;
    vp_case_run(&c, "variadic_va_list_passed: by address", m);
    E2E_EQ_STR(c.buf, expect2);
    E2E_EQ_LONG(c.n, (long)strlen(expect2));
    E2E_EQ_LONG(c.mid_l, -14);
    E2E_CHECK(c.mid_d == 13.5);
    return e2e_done("variadic_va_list_passed");
}
