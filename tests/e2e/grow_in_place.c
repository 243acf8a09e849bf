/* grow_in_place - a contiguous stack of 2 MiB or more grows into the address
 * space reserved below its block instead of moving (runtime/segment.c,
 * gs_seg_extend; protocol.md 5.3):
 *
 *  - a coroutine recursing 32 MiB deep in frames of one size: its %rsp,
 *    recorded in a global every 256 frames, steps down by the same amount
 *    from 512 KiB deep on (the stack moved into its 2 MiB block before that
 *    depth, then grew in place 2 -> 64 MiB: grown_in_place counts 5, and no
 *    move shifted the frames between two records);
 *  - the next coroutine that grows as deep takes the cached 64 MiB block when
 *    it outgrows 256 KiB (no 2 MiB block cached), so it neither grows in place
 *    nor maps a large block;
 *  - under GROWSTACK_FORCE_MOVE=1 nothing grows in place and the steps differ
 *    (so the first check can fail);
 *  - in every mode the recursion computes what it must.
 * The frames are 1 KB each and movable. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#define KB 1024L
#define MB (1024L * 1024L)
#define EVERY 256 /* frames between two records */
#define NSEEN 160

void gs_main_config(struct gs_config *cfg)
{
    cfg->max = 256 * MB;
}

/* Globals: the relocation of a move never touches them. (Not a local's
 * address: one stored in a global escapes, and the plugin puts that local on
 * the side stack, which never moves.) */
static uintptr_t seen[NSEEN];
static int nseen;

__attribute__((noinline)) static long down(long bytes, long *anchor)
{
    volatile char pad[1000]; /* a variable index keeps it whole */
    pad[bytes & 7] = (char)(bytes >> 10);
    if ((bytes / 1000) % EVERY == 0 && nseen < NSEEN) {
        uintptr_t sp;
        __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
        seen[nseen++] = sp;
    }
    long r = 0;
    if (bytes > 1000)
        r = down(bytes - 1000, anchor);
    else
        r = *anchor;
    return r + pad[bytes & 7];
}

/* What down(bytes, &a) returns with a == 7, computed without recursing. */
static long expected(long bytes)
{
    long r = 7;
    for (;;) {
        r += (char)(bytes >> 10);
        if (bytes <= 1000)
            return r;
        bytes -= 1000;
    }
}

static void *body(void *arg)
{
    long anchor = 7;
    return (void *)down((long)(intptr_t)arg, &anchor);
}

static struct gs_stats run(long bytes)
{
    nseen = 0;
    struct gs_stats before = e2e_stats();
    void *res = NULL;
    gs_handle h = gs_spawn(body, (void *)(intptr_t)bytes);
    E2E_CHECK(h != 0 && gs_join(h, &res) == 0);
    E2E_EQ_LONG((long)(intptr_t)res, expected(bytes));
    return e2e_stats_since(&before);
}

/* How many steps between two records from 512 KiB deep on differ from the
 * first such step. */
static int address_changes(void)
{
    int n = 0;
    intptr_t step = (intptr_t)(seen[2] - seen[3]);
    for (int i = 3; i + 1 < nseen; i++)
        n += (intptr_t)(seen[i] - seen[i + 1]) != step;
    return n;
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    /* A move at every call copies the whole stack each time: not 32 MiB. */
    long depth = m.forced ? 3000 * 1000L : 32 * MB;

    gs_stack_cache_trim();
    struct gs_stats d1 = run(depth);
    int changes1 = address_changes();
    E2E_CHECK(nseen >= 10);
    struct gs_stats d2 = run(depth);
    int changes2 = address_changes();
    printf("grow_in_place: %ld MiB deep: grown in place %llu, moves %llu, pins %llu, "
           "address changes %d; again: grown in place %llu, moves %llu, mapped %+lld bytes, "
           "address changes %d\n",
           depth / MB, (unsigned long long)d1.grown_in_place, (unsigned long long)d1.moves,
           (unsigned long long)d1.pins, changes1, (unsigned long long)d2.grown_in_place,
           (unsigned long long)d2.moves, (long long)d2.mapped_bytes, changes2);
    if (m.contiguous && !m.forced) {
        E2E_EQ_LONG((long)d1.grown_in_place, 5); /* 2 -> 4 -> 8 -> 16 -> 32 -> 64 MiB */
        E2E_EQ_LONG((long)d1.pins, 0);
        E2E_CHECK_MSG(d1.moves <= 8, "%llu moves", (unsigned long long)d1.moves);
        E2E_EQ_LONG(changes1, 0);
        /* The second coroutine: into the cached 64 MiB block at 256 KiB. */
        E2E_EQ_LONG((long)d2.grown_in_place, 0);
        /* Small blocks may come and go (a 128 KiB one), not a large one. */
        E2E_CHECK_MSG((long long)d2.mapped_bytes < 2 * MB, "the second run mapped %lld bytes",
                      (long long)d2.mapped_bytes);
        E2E_EQ_LONG(changes2, 0);
    } else {
        E2E_EQ_LONG((long)d1.grown_in_place, 0);
        E2E_EQ_LONG((long)d2.grown_in_place, 0);
    }
    if (m.forced)
        E2E_CHECK_MSG(changes1 > 0, "the frames never moved under forced moves");
    return e2e_done("grow_in_place");
}
