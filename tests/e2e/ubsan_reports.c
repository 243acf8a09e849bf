/* ubsan_reports.c - -fsanitize=undefined in a coroutine (docs/usage.md section 5).
 *
 * UBSan's checks are compare-and-branch code clang emits inline; a failed
 * check calls a handler in UBSan's run-time library, which gscc's thunk sends
 * to the system stack like any library call. So its reports must come out of
 * a coroutine at every depth, with the stack moved or segmented under the
 * handler's caller, and the program must go on (UBSan's default is to recover)
 * with its frames intact.
 *
 * The parent runs itself as a child (UBSan writes to stderr: the parent reads
 * it) and checks: exit status 0, the child's results, and one report of each
 * kind (UBSan reports each source location once, however often it fails: the
 * handler still runs every time, and every one of those calls goes through the
 * system-stack trampoline).
 */
#include "e2e.h"

#include <growstack.h>
#include <limits.h>

static volatile int big = INT_MAX; /* volatile: not folded at compile time */
static volatile int shift = 40;
static volatile int sink;

struct ub_state {
    long overflows; /* sum of the wrapped results */
    long shifts;
    int runs;
};

static void trigger(void *arg)
{
    struct ub_state *st = arg;
    int one = 1 + (st->runs & 0); /* not a constant */
    int v = big + one;            /* signed overflow: reported, wraps to INT_MIN */
    st->overflows += v == INT_MIN;
    int s = one << shift;         /* shift exponent too large: reported */
    sink = s;                     /* whatever it yields, the program goes on */
    st->shifts++;
    st->runs++;
}

static void *body(void *arg)
{
    e2e_at_depths(trigger, arg);
    return arg;
}

static int child(void)
{
    struct ub_state st = {0, 0, 0};
    gs_handle h = gs_spawn(body, &st);
    void *res = NULL;
    E2E_EQ_LONG(gs_join(h, &res), 0);
    E2E_CHECK(res == &st);
    E2E_EQ_LONG(st.runs, 54); /* e2e_at_depths: depths 0..47 and 6 deep ones */
    E2E_EQ_LONG(st.overflows, 54);
    E2E_EQ_LONG(st.shifts, 54);
    printf("child: %d runs\n", st.runs);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child();
    const char *args[] = {argv[0], "child", NULL};
    const char *env[] = {"UBSAN_OPTIONS=print_summary=0:halt_on_error=0", NULL};
    struct e2e_child c;
    e2e_run_self(args, env, NULL, &c);
    E2E_CHECK_MSG(c.status == 0, "child status %d, stderr:\n%s", c.status, c.err);
    E2E_EQ_STR(c.out, "child: 54 runs\n");
    E2E_CHECK_MSG(strstr(c.err, "runtime error: signed integer overflow: 2147483647 + 1") != NULL,
                  "no overflow report in:\n%s", c.err);
    E2E_CHECK_MSG(strstr(c.err, "runtime error: shift exponent 40 is too large") != NULL,
                  "no shift report in:\n%s", c.err);
    E2E_CHECK_MSG(strstr(c.err, "growstack") == NULL, "growstack complained:\n%s", c.err);
    e2e_child_free(&c);
    return e2e_done("ubsan_reports");
}
