/* shrink_from_huge - the sizes a contiguous stack takes on the way up past
 * 256 KiB and back down (docs/protocol.md 5.3 and 5.4a):
 *  - with huge pages on (GROWSTACK_HUGEPAGES=1, the default), a stack that
 *    outgrows its 256 KiB block jumps to a 2 MiB block (GS_HUGE_JUMP_FROM), and
 *    its first shrink takes it back to 256 KiB, not to 1 MiB, a size the next
 *    growth would jump away from again;
 *  - with them off, it doubles to 512 KiB and its first shrink halves it to
 *    256 KiB.
 * A coroutine recurses about 400 KiB deep once, then yields from a shallow
 * frame until its stack shrinks; main reads the coroutine's stack size as the
 * growth of stack_bytes since before the spawn (main's own stack does not
 * change meanwhile: it only resumes). The sizes are checked in contiguous mode
 * without forced moves; every mode runs the program and checks the result.
 * Registered twice: default and GROWSTACK_HUGEPAGES=0. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"
#include "e2e_rec.h"

#define DEPTH 5000L /* frames of 80 bytes (gscc -O2): about 400 KiB */
#define MAX_IDLE 64

static long result;

static void *body(void *arg)
{
    (void)arg;
    result = e2e_rec(DEPTH);
    for (int y = 0; y < MAX_IDLE; y++)
        gs_yield();
    return (void *)42L;
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    const long want = e2e_rec_sum(DEPTH);

    const uint64_t base = e2e_stats().stack_bytes;
    const uint64_t shrinks0 = e2e_stats().shrinks;
    gs_handle h = gs_spawn(body, NULL);
    E2E_CHECK(h != 0);
    E2E_EQ_LONG(gs_resume(h), 0); /* the deep run, back at the first yield */
    E2E_EQ_LONG(result, want);
    const uint64_t after_deep = e2e_stats().stack_bytes - base;
    uint64_t after_shrink = 0;
    int resumes = 1;
    while (resumes < MAX_IDLE && e2e_stats().shrinks == shrinks0) {
        E2E_EQ_LONG(gs_resume(h), 0);
        resumes++;
    }
    if (e2e_stats().shrinks != shrinks0)
        after_shrink = e2e_stats().stack_bytes - base;
    while (resumes++ <= MAX_IDLE)
        gs_resume(h);
    void *res = NULL;
    E2E_EQ_LONG(gs_join(h, &res), 0);
    E2E_EQ_LONG((long)res, 42);
    printf("shrink_from_huge: hugepages=%d: %llu bytes after the deep run, %llu after the "
           "first shrink\n", m.c.hugepages, (unsigned long long)after_deep,
           (unsigned long long)after_shrink);
    if (m.contiguous && !m.forced && m.c.shrink) {
        const uint64_t up = m.c.hugepages ? 2u << 20 : 512u << 10;
        E2E_CHECK_MSG(after_deep == up, "the stack grew to %llu bytes, want %llu",
                      (unsigned long long)after_deep, (unsigned long long)up);
        E2E_CHECK_MSG(after_shrink == 256u << 10,
                      "the first shrink left %llu bytes, want 256 KiB (0: no shrink in %d runs)",
                      (unsigned long long)after_shrink, MAX_IDLE);
    }
    return e2e_done("shrink_from_huge");
}
