/* locals_across_segments - pointers to locals of other frames, across segment
 * boundaries and (attempted) moves:
 *
 *  1. a linked list whose nodes live in the frames of a deep recursion, each
 *     frame's node pointing to its caller's node; the whole list is walked at
 *     the bottom, and every frame checks its node and its caller's on the way
 *     back;
 *  2. a pointer to a local passed down 10,000 frames, written at the bottom and
 *     on the way back up.
 *
 * Both take the address of a local and hand it to a callee (it escapes), so
 * the plugin pins these frames (docs/protocol.md 2.1, 5.4): contiguous mode
 * must not move them and chains a segment instead, counted as a pin. The test
 * must pass everywhere, and in contiguous mode the counters must show pins > 0
 * (the documented fallback). Each part runs on its own coroutine at several
 * starting depths, so the boundaries fall at different frames. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#define LIST_DEPTH 20000
#define PASS_DEPTH 10000
/* GROWSTACK_FORCE_MOVE=1 grows at every call. The nodes' frames are pinned, so
 * each of those growths is a cheap split, but the pass_down frames are
 * movable: above the pinned frame they are all moved at every call, O(N^2)
 * bytes for N frames (10,000 frames: 2.4 GB per run). That configuration passes
 * the pointer down 2,000 frames. */
#define PASS_DEPTH_FORCED 2000

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
    j->result = build(NULL, 0, LIST_DEPTH);
}

static void pass_at_depth(void *arg)
{
    struct job *j = arg;
    long value = -1; /* the local whose address goes down */
    long r = pass_down(&value, j->pass_depth);
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
    struct gs_stats before = e2e_stats();
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
        struct job j = {.start = starts[i]};
        run(list_body, &j);
        E2E_EQ_LONG(j.result, LIST_DEPTH + 1);
        E2E_EQ_LONG(j.bad, 0);

        long n = m.forced ? PASS_DEPTH_FORCED : PASS_DEPTH;
        struct job p = {.start = starts[i], .pass_depth = (int)n};
        run(pass_body, &p);
        E2E_EQ_LONG(p.target, 1000000L + n * (n + 1) / 2);
        E2E_EQ_LONG(p.result, n * (n + 1) / 2);
    }
    struct gs_stats d = e2e_stats_since(&before);
    e2e_print_growth("locals_across_segments", &d);
    if (m.segmented)
        E2E_CHECK(d.splits > 0);
    if (m.contiguous) {
        /* The frames holding the nodes (and `value`) were pinned: growth beside
         * them chained segments. */
        E2E_CHECK(d.pins > 0);
        E2E_CHECK(d.splits >= d.pins);
    }
    return e2e_done("locals_across_segments");
}
