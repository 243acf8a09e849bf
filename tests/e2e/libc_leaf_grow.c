/* libc_leaf_grow - a measured C library function called with too little room
 * above the guard makes the stack grow once, where growth lasts, instead of
 * taking the system-stack trampoline on every call (docs/protocol.md 4.1a,
 * runtime/stack.c gs_stack_grow_leaf, arch __morestack_leaf).
 *
 * A coroutine descends until less than BYTES - 200 bytes lie between %rsp and
 * the guard, then calls malloc and free in a loop from that depth, keeping a
 * ring of live blocks whose contents it checks. Each call but the first is
 * observed as libc_leaf_thunk does: bytes painted below %rsp, overwritten
 * only when malloc ran on the coroutine stack (the trampoline writes nothing
 * there for a call without stack arguments).
 *
 * Expected, when the runtime trusts glibc's text (glibc 2.36, nothing
 * interposed, not under Valgrind; otherwise the thunk never tests the room
 * and nothing grows):
 *  - contiguous: the first call moves the stack (leaf_grows 1, moves 1), every
 *    later call finds the room and runs on the coroutine stack;
 *  - fixed: the first call lowers the watermark (leaf_grows 1), the same;
 *  - segmented: no growth is asked for (leaf_grows and leaf_declines 0), every
 *    call takes the trampoline;
 *  - GROWSTACK_FORCE_MOVE: every call asks and moves (the guard stays above
 *    %rsp), then takes the trampoline: it terminates, results are correct;
 *  - GROWSTACK_MAX too small to grow (registered as libc_leaf_grow_at_max.*),
 *    or (contiguous) below a pinned frame, a second run: one decline
 *    (leaf_declines 1: later calls see the guard it declined at and go to
 *    the trampoline at once), no growth, no segment, no overflow report.
 * Reverting the change fails every configuration (no leaf_grows counter; the
 * contiguous and fixed runs see no direct call).
 */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#include <valgrind/valgrind.h>

#include "e2e_paint.h"

#define CALLS 300
#define LIVE 8

struct run {
    long room_first;     /* room at the first call                         */
    long room_min_later; /* least room at a later call                     */
    long direct, tramp;  /* later calls, as the painted bytes saw them     */
    long bad;            /* blocks whose contents changed                  */
    long depth;          /* frames descended                               */
};

static void fill(unsigned char *p, size_t n, int tag)
{
    for (size_t k = 0; k < n; k++)
        p[k] = (unsigned char)(tag * 31 + k);
}

static int intact(const unsigned char *p, size_t n, int tag)
{
    for (size_t k = 0; k < n; k++)
        if (p[k] != (unsigned char)(tag * 31 + k))
            return 0;
    return 1;
}

static void *volatile sink;

static size_t size_of(int i) { return 24 + 8 * (size_t)(i % 13); }

__attribute__((noinline)) static void allocate_loop(struct run *o)
{
    unsigned char *live[LIVE] = {0};
    int tags[LIVE] = {0};
    o->room_min_later = LONG_MAX;
    for (int i = 0; i < CALLS; i++) {
        unsigned char *sp;
        uintptr_t guard;
        E2E_SP_GUARD(sp, guard);
        long room = room_of(sp, guard);
        long len = paint_len(sp, guard);
        E2E_PAINT_BELOW_SP(len);
        unsigned char *p = malloc(size_of(i));
        int touched = 0;
        for (volatile unsigned char *q = sp - len; q < sp - RET_ADDR; q++)
            if (*q != 0xa5) {
                touched = 1;
                break;
            }
        if (i == 0) {
            o->room_first = room;
        } else {
            if (room < o->room_min_later)
                o->room_min_later = room;
            if (touched)
                o->direct++;
            else
                o->tramp++;
        }
        E2E_CHECK(p != NULL);
        fill(p, size_of(i), i);
        int slot = i % LIVE;
        if (live[slot]) {
            if (!intact(live[slot], size_of(tags[slot]), tags[slot]))
                o->bad++;
            free(live[slot]);
        }
        live[slot] = p;
        tags[slot] = i;
    }
    for (int k = 0; k < LIVE; k++) {
        if (!intact(live[k], size_of(tags[k]), tags[k]))
            o->bad++;
        free(live[k]);
    }
}

/* Down to the depth where less than BYTES - 200 bytes of room are left (at
 * once when the guard lies above %rsp: GROWSTACK_FORCE_MOVE). */
__attribute__((noinline)) static long descend(struct run *o, long n)
{
    volatile long pad[2] = {n, 3 * n};
    uintptr_t sp, guard;
    __asm__ volatile("movq %%rsp, %0\n\tmovq %%fs:0x70, %1" : "=r"(sp), "=r"(guard));
    E2E_CHECK_MSG(guard != 0, "the coroutine runs with guard 0");
    if (guard >= sp || (long)(sp - guard) < leaf_bytes_malloc - 200) {
        o->depth = n;
        allocate_loop(o);
        return pad[0] + pad[1];
    }
    E2E_CHECK_MSG(n < 100000, "no depth with less than BYTES of room");
    long r = descend(o, n + 1);
    return r + pad[0] - pad[1] / 3;
}

static void *body(void *arg)
{
    struct run *o = arg;
    return (void *)descend(o, 0);
}

/* The same below a pinned frame: body_pinned passes a long double on the
 * stack to the call that stays live during the loop, so its record pins it
 * (GS_REC_X87, protocol.md 5.3 and 5.4) and a contiguous stack above it
 * cannot move. */
__attribute__((noinline)) static long descend_ld(struct run *o, long double x)
{
    long r = descend(o, 0);
    return x == 2.5L ? r : -1;
}

static void *body_pinned(void *arg)
{
    struct run *o = arg;
    volatile long double x = 2.5L;
    return (void *)descend_ld(o, x);
}

static int trusted, at_max;

static void run_phase(struct e2e_cfg m, int pinned)
{
    struct run o = {0};
    struct gs_stats before = e2e_stats();
    /* Contiguous: 4 KiB, so that a depth with 1336 .. 936 bytes of room
     * exists before the first move. */
    struct gs_spawn_attr attr = {.name = "leafgrow",
                                 .initial = m.c.max < 4096 ? m.c.max : 4096};
    gs_handle h = gs_spawn_with(pinned ? body_pinned : body, &o, &attr);
    E2E_CHECK(h != 0);
    void *res = NULL;
    E2E_EQ_LONG(gs_join(h, &res), 0);
    struct gs_stats d = e2e_stats_since(&before);
    printf("libc_leaf_grow: mode %s%s%s%s, %s: depth %ld, room %ld at the first call, "
           "least %ld later; later calls %ld direct, %ld through the trampoline; "
           "leaf_grows %llu leaf_declines %llu moves %llu pins %llu\n",
           gs_mode_name(m.c.mode), m.forced ? " (forced moves)" : "",
           at_max ? " (at GROWSTACK_MAX)" : "", pinned ? ", below a pinned frame" : "",
           trusted ? "glibc trusted" : "not trusted", o.depth, o.room_first, o.room_min_later,
           o.direct, o.tramp, (unsigned long long)d.leaf_grows,
           (unsigned long long)d.leaf_declines, (unsigned long long)d.moves,
           (unsigned long long)d.pins);
    E2E_EQ_LONG((long)res, 4 * o.depth);
    E2E_EQ_LONG(o.bad, 0);
    E2E_EQ_LONG(o.direct + o.tramp, CALLS - 1);

    /* A contiguous stack whose growth cannot be a move: a pin, the limit. */
    int no_move = at_max || (pinned && m.contiguous);
    if (!trusted) {
        /* The slot holds the trampoline: the room is never tested. */
        E2E_EQ_LONG(d.leaf_grows, 0);
        E2E_EQ_LONG(d.leaf_declines, 0);
        E2E_EQ_LONG(o.direct, 0);
    } else if (m.forced) {
        E2E_CHECK_MSG(o.room_first == 0, "room %ld with forced moves", o.room_first);
        if (pinned) {
            /* The first forced growths above the pinned frame chain a
             * segment (pins); the loop's segment holds movable frames only,
             * so requests move it: nothing more to say than the results. */
            E2E_CHECK(d.pins >= 1);
        } else {
            /* malloc and free: every call asks, moves, takes the trampoline. */
            E2E_CHECK_MSG(d.leaf_grows >= 2 * CALLS, "leaf_grows %llu",
                          (unsigned long long)d.leaf_grows);
            E2E_EQ_LONG(d.leaf_declines, 0);
        }
    } else {
        E2E_CHECK_MSG(o.room_first < leaf_bytes_malloc - 64, "room %ld at the first call",
                      o.room_first);
        if (m.segmented) {
            E2E_EQ_LONG(d.leaf_grows, 0);
            E2E_EQ_LONG(d.leaf_declines, 0);
            E2E_EQ_LONG(o.direct, 0);
        } else if (no_move) {
            /* One decline; later calls see its guard and go straight on. */
            E2E_EQ_LONG(d.leaf_grows, 0);
            E2E_EQ_LONG(d.leaf_declines, 1);
            E2E_EQ_LONG(d.moves, 0);
            E2E_EQ_LONG(d.pins, 0);
            E2E_EQ_LONG(o.direct, 0);
        } else {
            E2E_EQ_LONG(d.leaf_grows, 1);
            E2E_EQ_LONG(d.leaf_declines, 0);
            if (m.contiguous) {
                E2E_EQ_LONG(d.moves, 1);
                E2E_EQ_LONG(d.pins, 0);
            }
            E2E_CHECK_MSG(o.room_min_later > leaf_bytes_malloc + 64,
                          "room %ld at a later call", o.room_min_later);
            E2E_EQ_LONG(o.direct, CALLS - 1);
        }
    }
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    /* The first call resolves the thunks' slots (pushing on the coroutine
     * stack): not in the loop. Through a global, or LLVM drops the pair. */
    sink = malloc(8);
    free(sink);
    uintptr_t a = (uintptr_t)&malloc;
    trusted = a >= gs_libc_leaves_text_lo && a < gs_libc_leaves_text_hi && !RUNNING_ON_VALGRIND;
    at_max = m.c.max <= 4096;
    run_phase(m, 0);
    run_phase(m, 1);
    return e2e_done("libc_leaf_grow");
}
