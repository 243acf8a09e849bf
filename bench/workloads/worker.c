/* worker.c - the coroutine body of the benchmarks (compiled by gscc): one job per
 * resume, then yield; the harness times the resumes. */
#include <growstack.h>

#include "../anchors/common/workloads.h"
#include "kernels.h"

ANCHOR_DECLARE(gs_)

/* Keeps the frame address of hot_pinned_base alive. */
void *volatile gs_bench_frame_sink;

/* A pinned frame below the hot-split descent: its frame address leaves the
 * stack, which pins it in contiguous mode whatever the escape analysis and
 * the side stack do (protocol.md 7.1: the frame address intrinsics). The
 * descent's own frames above it are movable, so a frame walk from the hot
 * loop has to pass all of them before it finds the pin. */
__attribute__((noinline)) static void hot_pinned_base(const void *rq)
{
    gs_bench_frame_sink = __builtin_frame_address(0);
    gs_hot_descend(rq);
    gs_bench_frame_sink = 0;
}

static volatile long gs_bench_never = -1;

/* Recursion without end (64-byte pad, ~112-byte frames): ends in the
 * runtime's overflow report at GROWSTACK_MAX. */
__attribute__((noinline)) static long endless(long depth)
{
    volatile char pad[64];
    pad[depth & 63] = (char)depth;
    if (depth == gs_bench_never)
        return 0;
    return endless(depth + 1) + pad[depth & 63];
}

/* Runs fn(n) below a frame of `deep` bytes (0, 4 KiB or 64 KiB: the frames
 * of a real program above the call), so that the stack has grown. */
__attribute__((noinline)) static long below(long (*fn)(long), long n, unsigned deep)
{
    if (deep >= 4096) {
        volatile char pad[4096];
        pad[deep & 4095] = 1;
        return below(fn, n, deep - 4096) + pad[deep & 4095] - 1;
    }
    return fn(n);
}

void *gs_bench_worker(void *arg)
{
    struct gs_job *j = arg;
    while (!j->stop) {
        switch (j->kind) {
        case GS_JOB_RECURSE: j->result = gs_recurse((unsigned)j->a, j->b); break;
        case GS_JOB_FIB: j->result = (uint64_t)gs_fib((int)j->a); break;
        case GS_JOB_TREE: j->result = (uint64_t)gs_tree_sum(j->p); break;
        case GS_JOB_PLAIN_LIB: j->result = (uint64_t)gs_call_plain_lib((long)j->a); break;
        case GS_JOB_OTHER_FILE: j->result = (uint64_t)gs_call_other_file((long)j->a); break;
        case GS_JOB_LIBC: j->result = (uint64_t)gs_call_libc((long)j->a); break;
        case GS_JOB_HOT: gs_hot_descend(j->p); break;
        case GS_JOB_PARK: break;
        case GS_JOB_HOT_PINNED: hot_pinned_base(j->p); break;
        case GS_JOB_ENDLESS: j->result = (uint64_t)endless(0); break;
        case GS_JOB_SIDE_LEAF: j->result = (uint64_t)gs_call_side_leaf((long)j->a); break;
        case GS_JOB_SIDE_NESTED: j->result = (uint64_t)gs_call_side_leaf_nested((long)j->a); break;
        case GS_JOB_SIDE_LOCAL: j->result = (uint64_t)gs_call_side_local((long)j->a); break;
        case GS_JOB_STACK_LOCAL: j->result = (uint64_t)gs_call_stack_local((long)j->a); break;
        case GS_JOB_MALLOC: j->result = (uint64_t)below(gs_call_malloc, (long)j->a, (unsigned)j->b); break;
        case GS_JOB_MUTEX: j->result = (uint64_t)below(gs_call_mutex, (long)j->a, (unsigned)j->b); break;
        case GS_JOB_SIDE_LOCAL_NESTED:
            j->result = (uint64_t)gs_call_side_local_nested((long)j->a);
            break;
        }
        gs_yield();
    }
    return NULL;
}
