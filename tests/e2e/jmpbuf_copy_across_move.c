/* jmpbuf_copy_across_move - a longjmp through a jmp_buf that the program
 * copied with memcpy before the stack moved lands where its setjmp was
 * (runtime/longjmp.c).
 *
 * bash saves its top_level buffer with memcpy, calls setjmp on top_level
 * again for a nested command, and restores the saved copy afterwards; a later
 * longjmp(top_level) uses the copy. The runtime relocates the buffers setjmp
 * filled when the stack moves, not copies it never saw: in contiguous mode
 * such a longjmp landed on the freed old stack ("setjmp returned on ..., a
 * longjmp used a jmp_buf saved before the stack moved": 38 times in bash's
 * test logs, found 2026-12-06). Checked here, for longjmp, _longjmp,
 * siglongjmp (from the same binary built with -D_FORTIFY_SOURCE=2 too, where
 * longjmp is __longjmp_chk): the bash pattern, a copy kept in a heap block and
 * one in a global; locals of the landing frame (an array whose address was
 * taken before the setjmp and kept in a register or the frame) intact and at
 * their present address; the stack moved in between (contiguous modes) and
 * the copies were carried (the statistics' jmpbufs_carried).
 */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <growstack.h>
#include <setjmp.h>

#include "e2e_stats.h"

static jmp_buf top_level;       /* bash's top_level */
static jmp_buf global_copy;     /* a copy in static storage */
static sigjmp_buf sig_top;
static int which;               /* 0 longjmp, 1 _longjmp, 2 siglongjmp */

/* Deep enough to move a 2 KiB stack several times (each level ~200 bytes). */
__attribute__((noinline)) static long descend(int d, volatile char *trail)
{
    volatile char pad[160];
    pad[d % 160] = (char)d;
    trail[d % 64] ^= (char)d;
    if (d > 0)
        return descend(d - 1, trail) + pad[d % 160];
    /* At the bottom: jump through the buffer the caller restored. */
    switch (which) {
    case 0:
        longjmp(top_level, 7);
    case 1:
        _longjmp(top_level, 7);
    default:
        siglongjmp(sig_top, 7);
    }
}

/* The nested command: setjmp on top_level again (the runtime registers it
 * for this frame), recurse (the stack moves), restore the outer copy, and
 * jump from deeper down. */
__attribute__((noinline)) static void nested(void *saved, int depth, volatile char *trail)
{
    if (which == 2) {
        if (sigsetjmp(sig_top, 1) == 0) {
            descend(depth / 4, trail);
        }
        memcpy(sig_top, saved, sizeof sig_top); /* the outer frame's buffer back */
    } else {
        if (setjmp(top_level) == 0) {
            descend(depth / 4, trail);
        }
        memcpy(top_level, saved, sizeof top_level);
    }
    descend(depth, trail); /* grows further, then jumps through the copy */
    e2e_fail(__FILE__, __LINE__, "descend returned");
}

/* The outer frame: setjmp, save a copy, run the nested command; the landing
 * checks its locals. */
__attribute__((noinline)) static int outer(int use_heap, int depth)
{
    char mark[48];
    for (int i = 0; i < (int)sizeof mark; i++)
        mark[i] = (char)(i * 3 + use_heap);
    char *keep = mark; /* taken before the setjmp, live across it */
    volatile char trail[64] = {0};
    void *saved = use_heap ? malloc(sizeof(sigjmp_buf)) : (void *)global_copy;
    E2E_CHECK(saved != NULL);
    int code = which == 2 ? sigsetjmp(sig_top, 1) : setjmp(top_level);
    if (code == 0) {
        memcpy(saved, which == 2 ? (void *)sig_top : (void *)top_level,
               which == 2 ? sizeof sig_top : sizeof top_level);
        nested(saved, depth, trail);
    }
    E2E_EQ_LONG(code, 7);
    E2E_CHECK_MSG(keep == mark, "a pointer to the landing frame's array kept across the "
                  "setjmp: %p, the array is at %p", (void *)keep, (void *)mark);
    for (int i = 0; i < (int)sizeof mark; i++)
        E2E_EQ_LONG(keep[i], (char)(i * 3 + use_heap));
    if (use_heap)
        free(saved);
    return code;
}

static int round_depth, round_heap;

static void *run(void *arg)
{
    (void)arg;
    outer(round_heap, round_depth);
    return NULL;
}

int main(void)
{
    struct e2e_cfg cfg = e2e_cfg();
    /* A move at every check copies the whole stack each time: less deep. */
    long depth = cfg.forced ? 150 : 1500;
    round_depth = (int)depth;
    struct gs_stats before = e2e_stats();
    /* A new coroutine per round: each starts small and moves. */
    for (which = 0; which < 3; which++)
        for (round_heap = 0; round_heap < 2; round_heap++) {
            gs_handle h = gs_spawn(run, NULL);
            E2E_CHECK(h != 0);
            E2E_EQ_LONG(gs_join(h, NULL), 0);
        }
    struct gs_stats d = e2e_stats_since(&before);
    if (cfg.contiguous) {
        E2E_CHECK_MSG(d.moves > 0, "no move");
        E2E_CHECK_MSG(d.jmpbufs_carried >= 6, "jmpbufs_carried %llu, want at least 6",
                      (unsigned long long)d.jmpbufs_carried);
    } else {
        E2E_EQ_LONG(d.jmpbufs_carried, 0);
    }
    return e2e_done("jmpbuf_copy_across_move");
}
