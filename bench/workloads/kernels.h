/* kernels.h - the call-heavy kernels of growstack's own benchmarks.
 *
 * Every kernel is compiled twice from the same source: with gscc (prefix gs_,
 * instrumented: prologue checks, thunks, records), with plain clang-19 (prefix
 * plain_, the floor) and with plain clang-19 plus gscc's code-generation flags
 * (prefix flags_: frame pointers, zeroed locals; no plugin), which isolates what
 * the checks themselves cost from what those flags cost. Comparing the two on the same stack isolates what the
 * instrumentation costs. The recursion and hot-split kernels shared with the
 * anchors live in bench/anchors/common/recursion.c (prefix gs_ / clang_).
 */
#ifndef GS_BENCH_KERNELS_H
#define GS_BENCH_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gs_bench_tree {
    struct gs_bench_tree *left, *right;
    long value;
};

#define GS_BENCH_KERNELS(p)                                                            \
    long p##fib(int n);                                        /* recursive fib      */ \
    long p##tree_sum(const struct gs_bench_tree *t);            /* tree walk          */ \
    long p##call_plain_lib(long n);  /* n calls into an uninstrumented object          */ \
    long p##call_other_file(long n); /* n calls into another file of the same build    */ \
    long p##call_libc(long n);       /* n calls of a libc function (labs)              */ \
    long p##call_malloc(long n);     /* n malloc + free pairs                          */ \
    long p##call_mutex(long n);      /* n pthread_mutex_lock + unlock pairs            */ \
    long p##call_side_leaf(long n);  /* n calls of a function with an escaping local   */ \
    long p##call_side_leaf_nested(long n); /* the same from a frame with one itself     */ \
    long p##call_side_local(long n); /* n calls of a function whose local escapes      */ \
    long p##call_stack_local(long n); /* the same, its callee declared noescape         */ \
    long p##call_side_local_nested(long n); /* call_side_local from a side frame  */

GS_BENCH_KERNELS(gs_)
GS_BENCH_KERNELS(plain_)
GS_BENCH_KERNELS(flags_) /* plain clang with gscc's code-generation flags */

/* check_placed.c: fib and tree_sum again, each right after a 64-byte boundary plus
 * N bytes (N = 0, 16, 32, 48), by gscc (gs_cpN_) and with gscc's flags only
 * (flags_cpN_): the prologue check's cost at an average placement. */
#define GS_BENCH_PLACED(p)                                                             \
    long p##fib(int n);                                                                \
    long p##tree_sum(const struct gs_bench_tree *t);
GS_BENCH_PLACED(gs_cp0_)
GS_BENCH_PLACED(gs_cp16_)
GS_BENCH_PLACED(gs_cp32_)
GS_BENCH_PLACED(gs_cp48_)
GS_BENCH_PLACED(flags_cp0_)
GS_BENCH_PLACED(flags_cp16_)
GS_BENCH_PLACED(flags_cp32_)
GS_BENCH_PLACED(flags_cp48_)

/* In an object always compiled by plain clang: the callee of call_plain_lib. */
long plainlib_add(long a, long b);
/* In the second kernel file (same build as the caller). */
long gs_xfile_add(long a, long b);
long plain_xfile_add(long a, long b);
long flags_xfile_add(long a, long b);
/* The callees of call_side_local / call_stack_local (second kernel file): the
 * same function, declared without and with noescape. */
#define GS_BENCH_PEEK(p)                                                               \
    long p##xfile_peek(long *x);                                                       \
    long p##xfile_peek_ne(__attribute__((noescape)) long *x);
GS_BENCH_PEEK(gs_)
GS_BENCH_PEEK(plain_)
GS_BENCH_PEEK(flags_)

/* The instrumented coroutine body the harness resumes: runs one job per resume. */
enum gs_job_kind {
    GS_JOB_RECURSE = 1, /* a = frame, b = depth                  */
    GS_JOB_FIB,         /* a = n                                  */
    GS_JOB_TREE,        /* p = tree                               */
    GS_JOB_PLAIN_LIB,   /* a = n                                  */
    GS_JOB_OTHER_FILE,  /* a = n                                  */
    GS_JOB_LIBC,        /* a = n                                  */
    GS_JOB_HOT,         /* p = struct anchor_hot_request *        */
    GS_JOB_PARK,        /* just yield (idle coroutines)           */
    GS_JOB_HOT_PINNED,  /* p = struct anchor_hot_request *; the hot
                           split runs above a pinned frame          */
    GS_JOB_ENDLESS,     /* recurse until GROWSTACK_MAX: never returns */
    GS_JOB_SIDE_LEAF,   /* a = n                                  */
    GS_JOB_SIDE_NESTED, /* a = n                                  */
    GS_JOB_SIDE_LOCAL,  /* a = n                                  */
    GS_JOB_STACK_LOCAL, /* a = n                                  */
    GS_JOB_SIDE_LOCAL_NESTED, /* a = n                            */
    GS_JOB_MALLOC,      /* a = n; b = bytes of stack to use first  */
    GS_JOB_MUTEX,       /* a = n; b = bytes of stack to use first  */
};

struct gs_job {
    int kind;
    int stop;
    uint64_t a, b;
    const void *p;
    uint64_t result;
};

void *gs_bench_worker(void *job);   /* instrumented */

#ifdef __cplusplus
}
#endif
#endif
