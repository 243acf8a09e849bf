/* huge_block_advised - contiguous growth into blocks of 4 MiB and more leaves
 * the new block advised MADV_HUGEPAGE once the old block's pages have moved in
 * (runtime/segment.c gs_seg_move_pages, docs/protocol.md 5.3): the stack then
 * grows into it 2 MiB per first touch where the kernel allows it, which is what
 * makes cold deep recursions cheap (issue 13).
 *
 * A recursion about 6 MiB deep looks, at its deepest point, at the mapping that
 * holds its stack pointer in /proc/self/smaps: in contiguous mode (not forced:
 * forced moves copy into blocks of the same size) its VmFlags must include
 * `hg`. Every mode checks the recursion's result. Without THP in the kernel
 * (no /sys/kernel/mm/transparent_hugepage) the flag is not checked. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DEPTH 200000L /* 32-byte frames: about 6.4 MiB */

static int flag_hg = -1; /* at the deepest point: 1 advised, 0 not, -1 not found */

static uintptr_t sp_now(void)
{
    /* Not __builtin_frame_address: the plugin pins a frame that takes it. */
    uintptr_t sp;
    __asm__ volatile("movq %%rsp, %0" : "=r"(sp));
    return sp;
}

/* The VmFlags of the mapping containing `a`: 1 if it has `hg`, 0 if not, -1
 * if no mapping was found. Runs its libc calls on the system stack (gscc). */
__attribute__((noinline)) static int advised_huge(uintptr_t a)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
    char line[512];
    int in = 0, res = -1;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            in = a >= lo && a < hi;
            continue;
        }
        if (in && !strncmp(line, "VmFlags:", 8)) {
            res = strstr(line, " hg") != NULL;
            break;
        }
    }
    fclose(f);
    return res;
}

static long value(long n) { return (n * 2654435761L) & 0xffff; }

__attribute__((noinline)) static long rec(long n)
{
    volatile long v = value(n);
    if (n == 0) {
        flag_hg = advised_huge(sp_now());
        return v;
    }
    long r = rec(n - 1);
    if (v != value(n))
        return -1000000000L;
    return r + v;
}

static void *body(void *arg)
{
    return (void *)rec((long)arg);
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    long depth = m.forced ? 2000L : DEPTH; /* forced: O(depth^2) copying */
    long want = 0;
    for (long n = 0; n <= depth; n++)
        want += value(n);
    struct gs_spawn_attr attr = {.name = "huge", .initial = 0};
    gs_handle h = gs_spawn_with(body, (void *)depth, &attr);
    E2E_CHECK(h != 0);
    void *res = NULL;
    E2E_EQ_LONG(gs_join(h, &res), 0);
    E2E_EQ_LONG((long)res, want);
    if (m.contiguous && !m.forced && access("/sys/kernel/mm/transparent_hugepage", F_OK) == 0)
        E2E_CHECK_MSG(flag_hg == 1,
                      "the stack's block at 6 MiB deep is not advised MADV_HUGEPAGE "
                      "(VmFlags hg: %d)",
                      flag_hg);
    return e2e_done("huge_block_advised");
}
