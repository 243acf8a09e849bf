/* huge_page_stacks - stack blocks of 2 MiB and more are mapped 2 MiB-aligned
 * and advised MADV_HUGEPAGE unless GROWSTACK_HUGEPAGES=0; smaller blocks and
 * fixed stacks never are (docs/protocol.md 5.3, runtime/segment.h).
 *
 * The kernel shows the advice as the "hg" flag on the mapping's VmFlags line of
 * /proc/self/smaps, whatever the system's transparent-huge-page setting, so
 * the test reads that, not whether huge pages were really used. It reads the
 * mapping that holds %rsp:
 *  - at the bottom of a recursion about 1.6 MiB deep, in contiguous mode (not
 *    forced): the stack lives in one block of 2 MiB, whose part below the
 *    pages moved into it must be aligned to 2 MiB and carry "hg" exactly
 *    when gs_config_get says hugepages is on;
 *  - in a shallow coroutine (2 KiB initial, carved from a chunk), in every
 *    configuration: no "hg";
 *  - in fixed mode at the bottom of the recursion: the fixed mapping, no "hg";
 *  - at the bottom of a recursion about 320 KiB deep, in contiguous mode (not
 *    forced): with huge pages on, the stack outgrew 256 KiB and jumped to a
 *    2 MiB block (GS_HUGE_JUMP_FROM), aligned and advised; with them off it
 *    doubled to 512 KiB, a block that is never advised.
 * Registered twice: with the default (on) and with GROWSTACK_HUGEPAGES=0. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#include <stdio.h>
#include <string.h>

#define DEPTH 100000L /* 16-byte frames (the return address and v): about 1.6 MiB */
#define FORCED_DEPTH 2000L
#define MID_DEPTH 20000L /* about 320 KiB: past 256 KiB, under 2 MiB */

struct vma {
    uintptr_t lo, hi;
    int found, hg;
};

static uintptr_t current_sp(void)
{
    uintptr_t sp;
    __asm__ volatile("movq %%rsp, %0" : "=r"(sp));
    return sp;
}

/* The mapping of /proc/self/smaps that holds `wanted`, and whether its
 * VmFlags include "hg" (the C library's calls run on the system stack, through
 * the trampoline). */
static struct vma found;
static uintptr_t wanted;

__attribute__((noinline)) static void find_vma(void)
{
    memset(&found, 0, sizeof found);
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return;
    char line[512];
    int in = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            in = wanted >= lo && wanted < hi;
            if (in) {
                found.lo = lo;
                found.hi = hi;
                found.found = 1;
            }
            continue;
        }
        if (in && !strncmp(line, "VmFlags:", 8))
            found.hg = strstr(line + 8, " hg") != NULL;
    }
    fclose(f);
}

static struct vma vma_of_sp(void)
{
    wanted = current_sp();
    find_vma();
    return found;
}

static struct vma at_bottom;

__attribute__((noinline)) static long rec(long n)
{
    volatile long v = n & 0xff;
    if (n == 0) {
        at_bottom = vma_of_sp();
        return v;
    }
    long r = rec(n - 1);
    return r + v;
}

static long sum_to(long depth)
{
    long s = 0;
    for (long n = 0; n <= depth; n++)
        s += n & 0xff;
    return s;
}

static void *deep(void *arg)
{
    return (void *)rec((long)arg);
}

static struct vma shallow_vma;

static void *shallow(void *arg)
{
    (void)arg;
    shallow_vma = vma_of_sp();
    return NULL;
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    long depth = m.forced ? FORCED_DEPTH : DEPTH;

    gs_handle h = gs_spawn_with(shallow, NULL, &(struct gs_spawn_attr){.name = "shallow"});
    E2E_CHECK(h);
    gs_join(h, NULL);
    E2E_CHECK_MSG(shallow_vma.found, "no mapping holds the shallow coroutine's %%rsp");
    E2E_CHECK_MSG(!shallow_vma.hg, "a 2 KiB stack's mapping [%#lx, %#lx) is advised MADV_HUGEPAGE",
                  (unsigned long)shallow_vma.lo, (unsigned long)shallow_vma.hi);

    void *ret = NULL;
    h = gs_spawn_with(deep, (void *)depth, &(struct gs_spawn_attr){.name = "deep"});
    E2E_CHECK(h);
    gs_join(h, &ret);
    E2E_CHECK_MSG((long)ret == sum_to(depth), "recursion result %ld, want %ld", (long)ret,
                  sum_to(depth));
    E2E_CHECK_MSG(at_bottom.found, "no mapping holds the deep coroutine's %%rsp");
    if (m.contiguous && !m.forced) {
        /* One block of 2 MiB holds the whole stack. */
        E2E_CHECK_MSG(at_bottom.lo % (2u << 20) == 0,
                      "the deep stack's mapping [%#lx, %#lx) is not 2 MiB-aligned",
                      (unsigned long)at_bottom.lo, (unsigned long)at_bottom.hi);
        E2E_CHECK_MSG(at_bottom.hg == (m.c.hugepages != 0),
                      "the deep stack's mapping [%#lx, %#lx): MADV_HUGEPAGE %s, "
                      "GROWSTACK_HUGEPAGES=%d",
                      (unsigned long)at_bottom.lo, (unsigned long)at_bottom.hi,
                      at_bottom.hg ? "set" : "not set", m.c.hugepages);
    } else if (m.fixed) {
        E2E_CHECK_MSG(!at_bottom.hg, "a fixed stack's mapping [%#lx, %#lx) is advised "
                                     "MADV_HUGEPAGE",
                      (unsigned long)at_bottom.lo, (unsigned long)at_bottom.hi);
    }
    if (m.contiguous && !m.forced) {
        h = gs_spawn_with(deep, (void *)MID_DEPTH, &(struct gs_spawn_attr){.name = "mid"});
        E2E_CHECK(h);
        gs_join(h, &ret);
        E2E_CHECK_MSG((long)ret == sum_to(MID_DEPTH), "recursion result %ld, want %ld",
                      (long)ret, sum_to(MID_DEPTH));
        E2E_CHECK_MSG(at_bottom.found, "no mapping holds the mid coroutine's %%rsp");
        E2E_CHECK_MSG(at_bottom.hg == (m.c.hugepages != 0) &&
                          (!m.c.hugepages || at_bottom.lo % (2u << 20) == 0),
                      "a stack about 320 KiB deep is in [%#lx, %#lx), MADV_HUGEPAGE %s, "
                      "GROWSTACK_HUGEPAGES=%d: it should have jumped to a 2 MiB block "
                      "exactly when huge pages are on",
                      (unsigned long)at_bottom.lo, (unsigned long)at_bottom.hi,
                      at_bottom.hg ? "set" : "not set", m.c.hugepages);
    }
    printf("huge_page_stacks: ok (hugepages=%d, deep stack in [%#lx, %#lx)%s)\n", m.c.hugepages,
           (unsigned long)at_bottom.lo, (unsigned long)at_bottom.hi, at_bottom.hg ? ", hg" : "");
    return 0;
}
