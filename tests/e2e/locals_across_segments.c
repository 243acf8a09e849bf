/* locals_across_segments - pointers to locals of other frames, across segment
 * boundaries and (attempted) moves:
 *
 *  1. a linked list whose nodes live in the frames of a deep recursion, each
 *     frame's node pointing to its caller's node; the whole list is walked at
 *     the bottom, and every frame checks its node and its caller's on the way
 *     back;
 *  2. a pointer to a local passed down 10,000 frames, written at the bottom and
 *     on the way back up, twice:
 *     a. the callee only dereferences it: the compiler marks the parameter
 *        nocapture, the address does not escape (docs/protocol.md 2.1) and the
 *        frame holding the local is movable. Contiguous mode moves it with the
 *        pointer copies held in the callees' saved registers and spill slots,
 *        which the move must relocate (pins == 0, moves > 0);
 *     b. the address is also stored in a global: it escapes, so the local
 *        lives in a side frame (docs/protocol.md 7) and its address never
 *        changes, while the frames around it move (pins == 0, moves > 0).
 *
 * The list nodes escape too (each frame stores its node's address into its
 * callee's node): they live on the side stack, and the frames holding the
 * pointers to them move. In contiguous mode the counters must show moves and
 * no pins (before the side stack, these frames pinned the stack), and the
 * test must pass in every mode. Each part runs on its own coroutine at several
 * starting depths, so the boundaries fall at different frames. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#define LIST_DEPTH 20000
#define PASS_DEPTH 10000
/* GROWSTACK_FORCE_MOVE=1 moves the stack at every call, O(N^2) bytes for N
 * frames (10,000 frames: 2.4 GB per run). That configuration builds the list
 * and passes the pointer down 2,000 frames. */
#define PASS_DEPTH_FORCED 2000
#define LIST_DEPTH_FORCED 2000
static long list_depth = LIST_DEPTH;

struct node {
    struct node *up;
    long depth;
    long check;
    char pad[40]; /* a frame of ~100 bytes */
};

static long check_of(long depth) { return depth * 7919 + 13; }

/* Walk from n to the root: every node must be one level above the previous
 * one, with its check value. Returns the number of nodes, -1 on a bad node. */
__attribute__((noinline)) static long walk(const struct node *n, long depth)
{
    long count = 0;
    for (; n; n = n->up, depth--) {
        if (n->depth != depth || n->check != check_of(depth) || n->pad[0] != (char)depth ||
            n->pad[39] != (char)~depth)
            return -1;
        count++;
    }
    return depth == -1 ? count : -2;
}

static long bad_frames;

__attribute__((noinline)) static long build(struct node *up, long depth, long max)
{
    struct node me = {.up = up, .depth = depth, .check = check_of(depth)};
    me.pad[0] = (char)depth;
    me.pad[39] = (char)~depth;
    long r;
    if (depth == max)
        r = walk(&me, depth);
    else
        r = build(&me, depth + 1, max);
    /* On the way back: my node, my caller's node (in an older frame, maybe in
     * an older segment) and the link between them. */
    if (me.up != up || me.depth != depth || me.check != check_of(depth) ||
        me.pad[0] != (char)depth || me.pad[39] != (char)~depth)
        bad_frames++;
    if (up && (up->depth != depth - 1 || up->check != check_of(depth - 1)))
        bad_frames++;
    return r;
}

/* The pointer goes down unchanged; the bottom writes through it, every level
 * adds its depth on the way back. */
__attribute__((noinline)) static long pass_down(long *target, int n)
{
    volatile long pad = n;
    if (n == 0) {
        *target = 1000000;
        return pad;
    }
    long r = pass_down(target, n - 1);
    *target += n;
    return r + pad;
}

struct job {
    int start; /* frames below the test's first frame */
    int pass_depth;
    long result, target, bad;
};

static void list_at_depth(void *arg)
{
    struct job *j = arg;
    j->result = build(NULL, 0, list_depth);
}

static void pass_at_depth(void *arg)
{
    struct job *j = arg;
    long value = -1; /* the local whose address goes down; it does not escape */
    long r = pass_down(&value, j->pass_depth);
    j->result = r;
    j->target = value;
}

static long *volatile published; /* makes the address escape */

static void pass_at_depth_escaping(void *arg)
{
    struct job *j = arg;
    long value = -1;
    published = &value;
    long r = pass_down(&value, j->pass_depth);
    /* On the side stack, the address did not change with the moves. */
    if (published != &value)
        j->bad++;
    published = NULL;
    j->result = r;
    j->target = value;
}

static void *list_body(void *arg)
{
    struct job *j = arg;
    bad_frames = 0;
    e2e_at_depth(j->start, list_at_depth, j);
    j->bad = bad_frames;
    return NULL;
}

static void *pass_body(void *arg)
{
    struct job *j = arg;
    e2e_at_depth(j->start, pass_at_depth, j);
    return NULL;
}

static void *pass_escaping_body(void *arg)
{
    struct job *j = arg;
    e2e_at_depth(j->start, pass_at_depth_escaping, j);
    return NULL;
}

static void run(void *(*fn)(void *), struct job *j)
{
    gs_handle h = gs_spawn(fn, j);
    E2E_CHECK(h != 0);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
}

int main(void)
{
    static const int starts[] = {0, 1, 2, 3, 5, 8, 13, 21, 34, 100};
    struct e2e_cfg m = e2e_cfg();
    /* Forced moves: every call is a split or a move; half the starts do. */
    size_t nstarts = sizeof starts / sizeof starts[0];
    if (m.forced)
        nstarts /= 2;
    long n = m.forced ? PASS_DEPTH_FORCED : PASS_DEPTH;
    if (m.forced)
        list_depth = LIST_DEPTH_FORCED;
    struct gs_stats list = {0}, pass = {0}, escaping = {0};
    for (size_t i = 0; i < nstarts; i++) {
        struct gs_stats t0 = e2e_stats();
        struct job j = {.start = starts[i]};
        run(list_body, &j);
        E2E_EQ_LONG(j.result, list_depth + 1);
        E2E_EQ_LONG(j.bad, 0);
        struct gs_stats d = e2e_stats_since(&t0);
        e2e_stats_add(&list, &d);

        t0 = e2e_stats();
        struct job p = {.start = starts[i], .pass_depth = (int)n};
        run(pass_body, &p);
        E2E_EQ_LONG(p.target, 1000000L + n * (n + 1) / 2);
        E2E_EQ_LONG(p.result, n * (n + 1) / 2);
        d = e2e_stats_since(&t0);
        e2e_stats_add(&pass, &d);

        t0 = e2e_stats();
        struct job q = {.start = starts[i], .pass_depth = (int)n};
        run(pass_escaping_body, &q);
        E2E_EQ_LONG(q.target, 1000000L + n * (n + 1) / 2);
        E2E_EQ_LONG(q.result, n * (n + 1) / 2);
        E2E_EQ_LONG(q.bad, 0);
        d = e2e_stats_since(&t0);
        e2e_stats_add(&escaping, &d);
    }
    e2e_print_growth("locals_across_segments: list", &list);
    e2e_print_growth("locals_across_segments: pointer passed down", &pass);
    e2e_print_growth("locals_across_segments: escaping pointer passed down", &escaping);
    if (m.segmented) {
        E2E_CHECK(list.splits > 0);
        E2E_CHECK(pass.splits > 0);
        E2E_CHECK(escaping.splits > 0);
    }
    /* The nodes and the escaping local are in side frames in every mode. */
    E2E_CHECK(list.side_chunks > 0);
    E2E_CHECK(escaping.side_chunks > 0);
    if (m.contiguous) {
        /* Nothing outside the stack points into it: every growth moves.
         * (Under forced moves the first growth of each start meets the
         * test's own pinned frame, see deep_recursion.c: count only moves
         * then.) */
        if (!m.forced) {
            E2E_EQ_LONG(list.pins, 0);
            E2E_EQ_LONG(pass.pins, 0);
            E2E_EQ_LONG(escaping.pins, 0);
        }
        E2E_CHECK(list.moves > 0);
        E2E_CHECK(pass.moves > 0);
        E2E_CHECK(escaping.moves > 0);
    }
    return e2e_done("locals_across_segments");
}
