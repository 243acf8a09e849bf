/* walk_rbp_frames - contiguous moves through frames whose canonical frame
 * address is %rbp-based, with a frame between them that uses %rbp as an
 * ordinary register (protocol.md 5.3, step 1: the walk follows call-frame
 * information, not a frame-pointer chain).
 *
 * gscc builds without frame pointers, so the only frames that keep %rbp as a
 * frame pointer are those that need one: a VLA (vla_frame) and an
 * over-aligned local (aligned_frame, which calls vla_frame). Below them sits
 * clobber_rbp, whose inline asm zeroes %rbp before its call: the compiler saves
 * %rbp in that frame (a call-frame rule "%rbp saved at CFA - k"), and while the
 * recursion below it grows the stack, %rbp is 0: the walk must take the VLA
 * frame's %rbp from that save to find the VLA frame's caller, and the aligned
 * frame's from the VLA frame's own save.
 *
 * Checks: every frame's data survives (the VLA and the aligned local are read
 * back after the growth), and in contiguous mode the stack moved and never
 * pinned: a wrong step would leave the segment and pin (GS_PIN_CHAIN), or
 * crash. With GROWSTACK_FORCE_MOVE=1 the same over a move at every call. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#include <stdalign.h>

#define DEPTH 20000L
#define FORCED_DEPTH 300L

static long depth;

__attribute__((noinline)) static long grow(long n)
{
    volatile long v = n;
    if (n == 0)
        return 0;
    return grow(n - 1) + v;
}

/* Zeroes %rbp before the call, so that during the growth below %rbp holds 0
 * and the VLA frame's value lives only in this frame's save slot. */
__attribute__((noinline)) static long clobber_rbp(long n)
{
    __asm__ volatile("xorl %%ebp, %%ebp" ::: "rbp", "memory");
    return grow(n) + 1;
}

__attribute__((noinline)) static long vla_frame(long len, long n)
{
    volatile long vla[len];
    for (long i = 0; i < len; i++)
        vla[i] = i * 3 + 1;
    long r = clobber_rbp(n);
    for (long i = 0; i < len; i++)
        if (vla[i] != i * 3 + 1)
            return -1;
    return r + vla[len - 1];
}

__attribute__((noinline)) static long aligned_frame(long n)
{
    alignas(64) volatile long a[4] = {7, 8, 9, 10};
    long r = vla_frame(5 + (n & 3), n);
    if (r < 0 || a[0] != 7 || a[3] != 10 || ((uintptr_t)&a[0] & 63))
        return -1;
    return r + a[1];
}

static void *body(void *arg)
{
    (void)arg;
    return (void *)aligned_frame(depth);
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    depth = m.forced ? FORCED_DEPTH : DEPTH;
    long want = depth * (depth + 1) / 2 + 1 + (3 * (4 + (depth & 3)) + 1) + 8;

    struct gs_stats before = e2e_stats();
    gs_handle h = gs_spawn(body, NULL);
    E2E_CHECK(h);
    void *ret = NULL;
    E2E_CHECK(gs_join(h, &ret) == 0);
    struct gs_stats d = e2e_stats_since(&before);
    e2e_print_growth("walk_rbp_frames", &d);
    E2E_CHECK_MSG((long)ret == want, "result %ld, want %ld", (long)ret, want);
    if (m.contiguous) {
        E2E_CHECK_MSG(d.moves > 0, "the stack never moved");
        E2E_CHECK_MSG(d.pins == 0, "%llu pins: the walk could not step over a frame",
                      (unsigned long long)d.pins);
    }
    return 0;
}
