/* side_chunk_stays_current - a small side frame that does not fit the current
 * side chunk goes to the top of the next one, and that chunk stays current
 * after the frame returns (docs/protocol.md 7.2, runtime/side.h): the frame's
 * next call from the same caller passes its inline check in that chunk
 * instead of crossing into it again. (Lua's str_format: a side frame of about
 * 1.1 KiB called in a loop from frames whose side frames sit in the 1 KiB
 * first chunk.) A large frame (GS_SIDE_SMALL = 4096 bytes or more) restores
 * the old state instead: its chunk is only cached.
 *
 * A coroutine whose frame `caller` has a small side frame (in the first chunk)
 * calls, in loops:
 *  - mid(): a 1504-byte side frame, more than the first chunk holds. After
 *    the first call the state is a new chunk, empty: lim is not the caller's,
 *    sp is the frame's end. Every later call puts the frame at the same
 *    address and leaves the same state; no chunk is allocated for them. With
 *    the old rule (restore the caller's state) lim would be the caller's again;
 *  - big(): an 8000-byte side frame. Its exits restore the state it found;
 *    later calls put it at the same address (the cached chunk).
 * When `caller` returns, its own state comes back: both chunks are cached.
 * A second run of `caller` crosses into the cached chunks (the assembly fast
 * path of __gs_side_alloc, no C) and ends in the same states.
 * A second coroutine does the same with mid32(), the same frame aligned to
 * 32: a frame with the general check, whose exits restore what
 * __gs_side_alloc returned (a small frame's exits compute base + SIZE and do
 * not depend on it), in the C half (first run) and the assembly (second).
 * The state is read through __gs_side, whose layout protocol.md 7.2 fixes. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"
#include "e2e_side.h"

static char *volatile sink;

/* Each buffer escapes (its address goes to a global): a side frame. */
__attribute__((noinline)) static char *mid(int i)
{
    char buf[1500];
    buf[0] = (char)i;
    sink = buf;
    return (char *)sink;
}

__attribute__((noinline)) static char *mid32(int i)
{
    _Alignas(32) char buf[1500];
    buf[0] = (char)i;
    sink = buf;
    return (char *)sink;
}

__attribute__((noinline)) static char *big(int i)
{
    char buf[8000];
    buf[0] = (char)i;
    sink = buf;
    return (char *)sink;
}

struct seen {
    struct side_state in_caller, after_mid, after_mids, after_big, after_bigs, back;
    char *own, *mid_addr, *big_addr;
    long mid_same, big_same;
    unsigned long chunks_before, chunks_after;
};

static int same(struct side_state a, struct side_state b)
{
    return a.sp == b.sp && a.lim == b.lim && a.jb == b.jb;
}

__attribute__((noinline)) static void caller(struct seen *s, char *(*mid_fn)(int))
{
    char own[64];
    own[0] = 1;
    sink = own;
    s->own = own;
    s->in_caller = __gs_side;
    s->mid_addr = mid_fn(0);
    s->after_mid = __gs_side;
    s->big_addr = big(0);
    s->after_big = __gs_side;
    s->chunks_before = e2e_stats().side_chunks;
    s->mid_same = s->big_same = 0;
    for (int i = 0; i < 1000; i++)
        s->mid_same += mid_fn(i) == s->mid_addr;
    s->after_mids = __gs_side;
    for (int i = 0; i < 100; i++)
        s->big_same += big(i) == s->big_addr;
    s->after_bigs = __gs_side;
    s->chunks_after = e2e_stats().side_chunks;
}

static char *(*volatile body_mid)(int);

static void *body(void *arg)
{
    struct seen *s = arg;
    caller(&s[0], body_mid);
    s[0].back = __gs_side;
    unsigned long chunks = e2e_stats().side_chunks;
    caller(&s[1], body_mid);
    s[1].back = __gs_side;
    s[1].chunks_before = chunks; /* the whole second run allocates nothing */
    return NULL;
}

static void check(struct seen s)
{
    /* caller's own frame: a chunk is current, and its 64 bytes lie in it. */
    E2E_CHECK(s.in_caller.lim != (char *)UINTPTR_MAX);
    E2E_CHECK(s.own >= s.in_caller.lim && s.own < s.in_caller.sp + 64);
    /* mid went to a new chunk, which stays current and empty. */
    E2E_CHECK(s.after_mid.lim != s.in_caller.lim);
    E2E_CHECK(s.mid_addr >= s.after_mid.lim);
    E2E_CHECK(s.after_mid.sp - s.mid_addr >= 1504 && s.after_mid.sp - s.mid_addr < 1504 + 32);
    E2E_CHECK(s.mid_same == 1000);
    E2E_CHECK(same(s.after_mids, s.after_mid));
    /* big restored the state it found, at every call. */
    E2E_CHECK(same(s.after_big, s.after_mid));
    E2E_CHECK(s.big_addr < s.after_mid.lim || s.big_addr >= s.after_mid.sp);
    E2E_CHECK(s.big_same == 100);
    E2E_CHECK(same(s.after_bigs, s.after_mid));
    /* No chunk allocated by the loops: the mids stay inline, the bigs reuse
     * the cached chunk. */
    E2E_CHECK(s.chunks_after == s.chunks_before);
    /* caller restored what it found: not the chunk mid left current. */
    E2E_CHECK(s.back.lim != s.after_mid.lim);
}

static void run(char *(*mid_fn)(int))
{
    struct seen s[2];
    body_mid = mid_fn;
    gs_handle h = gs_spawn(body, s);
    E2E_CHECK(h != 0);
    E2E_CHECK(gs_join(h, NULL) == 0);
    check(s[0]);
    check(s[1]);
    E2E_CHECK(same(s[1].in_caller, s[0].in_caller));
    E2E_CHECK(same(s[1].after_mid, s[0].after_mid));
    E2E_CHECK(s[1].big_addr == s[0].big_addr);
    E2E_CHECK(same(s[1].back, s[0].back));
}

int main(void)
{
    run(mid);
    run(mid32);
    printf("side_chunk_stays_current: %lu checks passed\n", e2e_checks);
    return 0;
}
