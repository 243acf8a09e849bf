/* worker.c - the coroutine body of the benchmarks (compiled by gscc): one job per
 * resume, then yield; the harness times the resumes. */
#include <growstack.h>

#include "../anchors/common/workloads.h"
#include "kernels.h"

ANCHOR_DECLARE(gs_)

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
        }
        gs_yield();
    }
    return NULL;
}
