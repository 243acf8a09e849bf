/* recursion.c - the DeepRecursion and HotSplit kernels (see workloads.h for the contract).
 *
 * Compiled once per anchor build, with the symbol prefix in WL_PREFIX:
 *   split_  gcc-12 -O2 -fsplit-stack -DWL_SPLIT=1   (libgcc anchor, __morestack path)
 *   plain_  gcc-12 -O2                              (libgcc anchor, same compiler, no checks)
 *   clang_  clang-19 -O2                            (pthread anchor: the plain-C floor)
 *
 * Hazard for the split_ build: nothing in this file may call a function that was not
 * compiled with -fsplit-stack (libc included). Such a callee assumes a large stack, while
 * the caller may be running on a 16 KiB segment; gold would rewrite our prologues to ask
 * for 1 MiB before such a call, which would move every HotSplit boundary. Timing therefore
 * uses rdtsc (an instruction, not a call) and everything else is left to the harness.
 */
#include "workloads.h"

#include <stdint.h>

#ifndef WL_PREFIX
#error "define WL_PREFIX (split_, plain_ or clang_)"
#endif
#ifndef WL_SPLIT
#define WL_SPLIT 0
#endif

#define WL_CAT2(a, b) a##b
#define WL_CAT(a, b) WL_CAT2(a, b)
#define WL(name) WL_CAT(WL_PREFIX, name)

/* gcc would otherwise clone the leaves for the probe == NULL call site.
 *
 * Every kernel starts on a 64-byte boundary, in every build. The speed of these
 * loops depends on where their code falls within the 64-byte lines the front end
 * fetches: on the AMD EPYC of the benchmark machine the same 32-byte recursion
 * (identical bytes, only moved) runs at 1.52, 1.66, 2.17 and 2.01 ns per frame
 * with its function at offsets 0, 16, 32 and 48 of a line. Left to the linker,
 * each build's kernel lands wherever the code before it ends, and a ratio
 * between two builds measured that luck instead of the builds. */
#if defined(__clang__)
#define WL_NOINLINE __attribute__((noinline, aligned(64)))
#else
#define WL_NOINLINE __attribute__((noinline, noclone, aligned(64)))
#endif

#ifndef WL_GROWSTACK
#define WL_GROWSTACK 0
#endif

/* Keep every byte of `p` alive without emitting an instruction: the same in
 * every build (gscc takes an empty asm template without outputs as what it
 * is, an instruction-free barrier, and leaves the pad in the frame). */
#define WL_ESCAPE(p) __asm__ volatile("" : : "r"(p) : "memory")

#if WL_GROWSTACK
/* The growstack build (gs_ prefix, compiled by gscc). growstack's plugin moves
 * a local whose address becomes an integer to the side stack (it could be
 * stored anywhere), away from the stack the benchmark measures. So: measure
 * the room above the guard from %rsp. */
#define WL_HERE(local) wl_sp()
static inline const volatile char *wl_sp(void)
{
    /* Not __builtin_frame_address: the plugin pins a frame that takes it. */
    uintptr_t sp;
    __asm__ volatile("movq %%rsp, %0" : "=r"(sp));
    return (const volatile char *)sp;
}
#else
#define WL_HERE(local) (local)
#endif

/* The index of the byte a frame touches: the same in every build, and not a
 * constant the compiler could fold. gscc zeroes the one word such an index can
 * reach (compiler-plugin/ZeroLocals.h). */
#define WL_IX(x) ((x) & 7)

static inline uint64_t wl_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* Bytes between `addr` and the split-stack guard of the running segment. glibc keeps the
 * guard in the TCB at %fs:0x70 (tcbhead_t.__private_ss), which is what gcc's prologue
 * compares %rsp against. */
static inline int64_t wl_avail(const volatile void *addr)
{
#if WL_SPLIT
    uintptr_t guard;
    __asm__ volatile("movq %%fs:0x70, %0" : "=r"(guard));
    return (int64_t)((intptr_t)addr - (intptr_t)guard);
#else
    (void)addr;
    return -1;
#endif
}

/* ---- DeepRecursion ------------------------------------------------------------------ */

#define WL_DEFINE_REC(F)                                                                   \
    WL_NOINLINE uint64_t WL(rec##F)(uint64_t d);                                           \
    WL_NOINLINE uint64_t WL(rec##F)(uint64_t d)                                            \
    {                                                                                      \
        volatile char pad[(F) - ANCHOR_FRAME_OVERHEAD];                                    \
        WL_ESCAPE(pad);                                                                    \
        pad[WL_IX(d)] = (char)d;                                                           \
        if (d == 0)                                                                        \
            return 0;                                                                      \
        return WL(rec##F)(d - 1) + (unsigned char)pad[WL_IX(d)];                           \
    }

WL_DEFINE_REC(32)
WL_DEFINE_REC(128)
WL_DEFINE_REC(1024)

uint64_t WL(recurse)(unsigned frame, uint64_t depth)
{
    switch (frame) {
    case 32:
        return WL(rec32)(depth);
    case 128:
        return WL(rec128)(depth);
    case 1024:
        return WL(rec1024)(depth);
    }
    return ~(uint64_t)0; /* the harness checks the checksum, so this fails loudly */
}

/* ---- HotSplit ----------------------------------------------------------------------- */

/* The callee of the hot loop: a frame of about F bytes, touched once. `probe`, when set,
 * receives the frame's address so the harness can tell whether the call was split. */
#define WL_DEFINE_LEAF(F)                                                                  \
    WL_NOINLINE static uint64_t WL(leaf##F)(uint64_t i, volatile char **probe)             \
    {                                                                                      \
        volatile char pad[(F) - ANCHOR_FRAME_OVERHEAD];                                    \
        WL_ESCAPE(pad);                                                                    \
        pad[WL_IX(i)] = (char)i;                                                           \
        if (probe)                                                                         \
            *probe = pad;                                                                  \
        return (unsigned char)pad[WL_IX(i)];                                               \
    }

WL_DEFINE_LEAF(32)
WL_DEFINE_LEAF(128)
WL_DEFINE_LEAF(1024)

#define WL_HOT_LOOP(F)                                                                     \
    do {                                                                                   \
        volatile char *probe = 0;                                                          \
        WL(leaf##F)(0, WL_GROWSTACK ? 0 : &probe);                                         \
        split = WL_GROWSTACK ? -1 : !(probe < here && (uintptr_t)(here - probe) < (F) + 256u); \
        t0 = wl_rdtsc();                                                                   \
        for (uint64_t i = 0; i < rq->n; i++)                                               \
            sum += WL(leaf##F)(i, 0);                                                      \
        t1 = wl_rdtsc();                                                                   \
    } while (0)

WL_NOINLINE void WL(hot_run)(const struct anchor_hot_request *rq)
{
    volatile char here[1];
    uint64_t t0 = 0, t1 = 0, sum = 0;
    int split = 0;

    WL_ESCAPE(here);
    switch (rq->frame) {
    case 32:
        WL_HOT_LOOP(32);
        break;
    case 128:
        WL_HOT_LOOP(128);
        break;
    case 1024:
        WL_HOT_LOOP(1024);
        break;
    default:
        sum = ~(uint64_t)0;
    }
    rq->out->ticks = t1 - t0;
    rq->out->checksum = sum;
    rq->out->avail = wl_avail(WL_HERE(here));
    rq->out->split = split;
}

/* Recurse in 64-byte frames until the room left above the guard is at most target + 64,
 * then run the hot loop there. Without -fsplit-stack there is no guard: run it at once. */
WL_NOINLINE uint64_t WL(hot_descend)(const struct anchor_hot_request *rq)
{
    volatile char pad[64 - ANCHOR_FRAME_OVERHEAD];
    WL_ESCAPE(pad);
    pad[WL_IX(rq->target)] = 1;
    if (WL_SPLIT && wl_avail(WL_HERE(pad)) > (int64_t)rq->target + 64)
        return WL(hot_descend)(rq) + (unsigned char)pad[WL_IX(rq->target)];
    WL(hot_run)(rq);
    return (unsigned char)pad[WL_IX(rq->target)];
}

int64_t WL(avail_here)(void)
{
    volatile char here[1];
    WL_ESCAPE(here);
    return wl_avail(WL_HERE(here));
}
