/* switch_fast_paths - the state gs_resume's and gs_yield's assembly fast paths
 * leave (docs/protocol.md 6.1): the same as gs_coro_enter and coro_leave make
 * in C. Each switch below is checked on both sides: gs_tls.cur, the states,
 * resumer/back/back_guard, the guard, sys_sp and ext_target, __gs_side (each
 * owner's distinctive value survives the other's run), the counters.
 *
 *   1. from the thread's own stack: the first resume (READY: the C half), then
 *      resumes of a SUSPENDED coroutine (the fast path);
 *   2. from a coroutine's own stack (a nested resume, both halves);
 *   3. resumed by the scheduler (gs_run: gs_coro_resume, C) and yielding
 *      through the fast path;
 *   4. gs_yield outside coroutines: EPERM.
 */
#include <errno.h>
#include <growstack.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "coro.h"
#include "side.h"
#include "thread.h"

static int failures;
#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                    \
            failures++;                                                               \
        }                                                                             \
    } while (0)

static struct gs_side side_of(uintptr_t tag)
{
    return (struct gs_side){(char *)(tag + 0x100), (char *)tag, (struct gs_jb_node *)(tag + 8)};
}

static int side_is(uintptr_t tag)
{
    struct gs_side s = side_of(tag);
    return __gs_side.sp == s.sp && __gs_side.lim == s.lim && __gs_side.jb == s.jb;
}

#define THREAD_TAG 0x10000
#define A_TAG 0x20000
#define B_TAG 0x30000

static gs_handle ha, hb;
static struct gs_coro *coa, *cob;
static uintptr_t guard_a;
static char *thread_sys_sp; /* gs_tls.sys_sp on the thread's own stack */

/* B: resumed by A (a coroutine on its own stack), yields back to it. */
static void *run_b(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        CHECK(gs_tls.cur == cob && cob->state == GS_RUNNING);
        CHECK(cob->resumer == coa && coa->state == GS_RESUMING);
        CHECK(cob->back == &coa->ctx);
        CHECK(cob->back_guard == guard_a);
        CHECK(gs_tls.ext_target == NULL);
        if (i > 0)
            CHECK(side_is(B_TAG + i - 1));
        __gs_side = side_of(B_TAG + i);
        CHECK(gs_yield() == 0);
    }
    return NULL;
}

/* A: resumed from the thread's own stack; resumes B. */
static void *run_a(void *arg)
{
    (void)arg;
    for (int i = 0; i < 4; i++) {
        CHECK(gs_tls.cur == coa && coa->state == GS_RUNNING);
        CHECK(coa->resumer == NULL && coa->back == &coa->back_ctx && coa->back_guard == 0);
        CHECK(coa->saved_sys_sp == thread_sys_sp && coa->saved_ext == NULL);
        CHECK(gs_tls.sys_sp != thread_sys_sp && gs_tls.ext_target == NULL);
        CHECK(((uintptr_t)gs_tls.sys_sp & 15) == 0);
        CHECK(gs_arch_get_guard() != 0 && gs_arch_get_guard() == coa->stack.guard);
        if (i > 0)
            CHECK(side_is(A_TAG + i - 1));
        /* Resume B twice from here: its first resume is READY (C), the next
         * SUSPENDED (the fast path from a coroutine). */
        __gs_side = side_of(A_TAG + i);
        char *sys_sp = gs_tls.sys_sp;
        guard_a = gs_arch_get_guard();
        if (i < 3) {
            uint64_t switches = gs_tls.stats.switches;
            unsigned runs = cob->stack.usage.runs;
            CHECK(gs_resume(hb) == 0);
            CHECK(gs_tls.stats.switches == switches + 2 && cob->stack.usage.runs == runs + 1);
            CHECK(gs_tls.cur == coa && coa->state == GS_RUNNING && cob->state == GS_SUSPENDED);
            CHECK(side_is(A_TAG + i));
            CHECK(cob->stack.side.sp == side_of(B_TAG + i).sp &&
                  cob->stack.side.lim == side_of(B_TAG + i).lim &&
                  cob->stack.side.jb == side_of(B_TAG + i).jb);
            CHECK(gs_arch_get_guard() == guard_a);
            CHECK(gs_tls.sys_sp == sys_sp && gs_tls.ext_target == NULL);
        }
        CHECK(gs_yield() == 0);
    }
    return NULL;
}

/* C: resumed by the scheduler (gs_coro_resume), yields through the fast path. */
static int c_runs;
static void *run_c(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++) {
        if (i > 0)
            CHECK(side_is(A_TAG + 0x100 + i - 1));
        __gs_side = side_of(A_TAG + 0x100 + i);
        c_runs++;
        CHECK(gs_yield() == 0);
        CHECK(side_is(A_TAG + 0x100 + i));
        CHECK(gs_tls.cur != NULL && gs_tls.cur->state == GS_RUNNING);
    }
    return NULL;
}

int main(void)
{
    CHECK(gs_yield() == EPERM); /* 4: outside coroutines */
    struct gs_side thread_side = __gs_side;
    __gs_side = side_of(THREAD_TAG);

    ha = gs_spawn(run_a, NULL);
    hb = gs_spawn(run_b, NULL);
    CHECK(ha && hb);
    coa = gs_coro_lookup(ha);
    cob = gs_coro_lookup(hb);
    char *sys_sp = thread_sys_sp = gs_tls.sys_sp;
    for (int i = 0; i < 4; i++) {
        uint64_t switches = gs_tls.stats.switches;
        CHECK(gs_resume(ha) == 0);
        CHECK(gs_tls.stats.switches == switches + (i < 3 ? 4 : 2)); /* A resumed B once */
        CHECK(gs_tls.cur == NULL && coa->state == GS_SUSPENDED);
        CHECK(gs_arch_get_guard() == 0);
        CHECK(gs_tls.sys_sp == sys_sp && gs_tls.ext_target == NULL);
        CHECK(side_is(THREAD_TAG));
        CHECK(coa->stack.side.sp == side_of(A_TAG + i).sp && coa->stack.guard == guard_a);
    }
    CHECK(gs_resume(ha) == 0); /* A finishes */
    CHECK(side_is(THREAD_TAG));
    CHECK(gs_join(ha, NULL) == 0);
    CHECK(gs_resume(hb) == 0); /* B finishes */
    CHECK(gs_join(hb, NULL) == 0);

    gs_handle hc = gs_spawn(run_c, NULL); /* 3 */
    CHECK(gs_run() == 0);
    CHECK(c_runs == 5);
    CHECK(side_is(THREAD_TAG));
    CHECK(gs_join(hc, NULL) == 0);

    __gs_side = thread_side;
    if (failures) {
        printf("%d failures\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
