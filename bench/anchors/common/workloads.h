/* workloads.h - the DeepRecursion and HotSplit kernels every C anchor runs.
 *
 * The definitions are the specification in docs/bench/anchors.md ("Workloads"); the Go
 * anchor (go/workloads.go) transcribes them. Invariants every build must keep:
 *
 *   - a recursion frame of F bytes is exactly F bytes of stack per level: return address,
 *     alignment slot and `volatile char pad[F - ANCHOR_FRAME_OVERHEAD]`. Checked for
 *     gcc-12 (with and without -fsplit-stack) and clang-19 at -O2 by disassembly, and at
 *     run time by the plain anchors (stack pages touched / depth, counter frame_bytes).
 *   - each level touches its frame exactly once (pad[d & 7] written before the call, read
 *     after it), so a cold run faults in every page of the stack it uses, and the read
 *     after the call keeps the call from becoming a tail call. The index is not a
 *     constant, so that no build splits the array into the bytes it touches (gscc zeroes
 *     the one word the index reaches, compiler-plugin/ZeroLocals.h).
 *   - the escape `asm volatile("" : : "r"(pad) : "memory")` keeps the whole array: without
 *     it clang shrinks an alloca to the bytes actually accessed (the frame would be 16 B).
 *
 * recursion.c instantiates these under a symbol prefix (WL_PREFIX) so that one binary can
 * hold a -fsplit-stack copy and a plain copy of the same source.
 */
#ifndef ANCHORS_WORKLOADS_H
#define ANCHORS_WORKLOADS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of a recursion frame that are not pad: the return address plus the slot that keeps
 * the stack 16-byte aligned at the next call. */
#define ANCHOR_FRAME_OVERHEAD 16

/* The frame sizes the report sweeps. */
#define ANCHOR_FRAME_SMALL 32
#define ANCHOR_FRAME_MEDIUM 128
#define ANCHOR_FRAME_LARGE 1024

/* Checksum a correct DeepRecursion(depth) returns: sum over d = 1..depth of (d mod 256). */
static inline uint64_t anchor_recursion_checksum(uint64_t depth)
{
    uint64_t full = depth / 256, rest = depth % 256;
    return full * (255u * 256u / 2u) + rest * (rest + 1u) / 2u;
}

/* Checksum a correct HotSplit loop of n calls returns: sum over i = 0..n-1 of (i mod 256). */
static inline uint64_t anchor_hotsplit_checksum(uint64_t n)
{
    return anchor_recursion_checksum(n ? n - 1 : 0);
}

/* What one HotSplit run reports (filled by WL(hot_run) in recursion.c). */
struct anchor_hot_result {
    uint64_t ticks;     /* rdtsc ticks spent in the n calls */
    uint64_t checksum;  /* must equal anchor_hotsplit_checksum(n) */
    int64_t avail;      /* bytes between the loop's frame and the split-stack guard
                           (%fs:0x70); -1 in a build without -fsplit-stack */
    int split;          /* 1 if the probe call ran on a different stack segment */
};

/* A HotSplit request: descend until `avail` <= target (+ one 64-byte step), then call a
 * leaf of `frame` bytes n times. */
struct anchor_hot_request {
    uint64_t target;
    unsigned frame;
    uint64_t n;
    struct anchor_hot_result *out;
};

#define ANCHOR_DECLARE(prefix)                                                                \
    uint64_t prefix##recurse(unsigned frame, uint64_t depth);                                 \
    void prefix##hot_run(const struct anchor_hot_request *rq);                                \
    uint64_t prefix##hot_descend(const struct anchor_hot_request *rq);                        \
    int64_t prefix##avail_here(void);

ANCHOR_DECLARE(split_)
ANCHOR_DECLARE(plain_)
ANCHOR_DECLARE(clang_)

#ifdef __cplusplus
}
#endif
#endif
