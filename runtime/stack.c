/* stack.c - a coroutine's stack: creation, growth in the three modes, moves,
 * shrinking, the fixed-mode watermark, dynamic allocas (see stack.h and
 * docs/protocol.md section 5). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dyn.h"
#include "fatal.h"
#include "mem.h"
#include "pins.h"
#include "records.h"
#include "side.h"
#include "stack.h"
#include "thread.h"
#include "trace.h"

/* An uninstrumented entry function cannot grow its stack: it gets a fixed stack
 * of this size (or GROWSTACK_MAX if smaller) and is counted in unchecked_spawns. */
#define GS_UNCHECKED_STACK ((size_t)8 << 20)

/* The shrink policy's bounds (protocol.md 5.4a): shallow runs a shrink needs
 * at first, and at most after shrinks were undone; unprobed runs after probe
 * hits in a row, at most. */
#define GS_SHRINK_WAIT_MIN 4u
#define GS_SHRINK_WAIT_MAX 1024u
#define GS_PROBE_GAP_MAX 63u

/* Contiguous growth quadruples from chunk-carved blocks of this size (grow_to). */
#define GS_GROW4_MIN ((size_t)8 << 10)

static uintptr_t guard_for(const struct gs_seg *g);
static uintptr_t watermark_init(struct gs_stack *s);
static void watermark_release(struct gs_stack *s);

int gs_stack_create(struct gs_stack *s, size_t initial, const void *entry)
{
    memset(s, 0, sizeof *s);
    gs_leaf_declined = 0; /* a guard of a freed stack may be this one's */
    s->side = GS_SIDE_INIT;
    s->usage.wait = GS_SHRINK_WAIT_MIN;
    s->initial = initial ? initial : gs_cfg.initial;
    if (s->initial < GS_SIZE_MIN)
        s->initial = GS_SIZE_MIN;
    struct gs_seg *g;
    int growable = gs_cfg.mode != GS_MODE_FIXED;
    if (growable && !gs_records_instrumented((uintptr_t)entry)) {
        /* Its frames would have no checks: give it what a thread would have. */
        growable = 0;
        gs_tls.stats.unchecked_spawns++;
    }
    if (growable) {
        g = gs_seg_alloc(s->initial - sizeof(struct gs_seg));
        s->kind = GS_STACK_GROWABLE;
    } else {
        size_t max = gs_cfg.max;
        if (gs_cfg.mode != GS_MODE_FIXED && max > GS_UNCHECKED_STACK)
            max = GS_UNCHECKED_STACK;
        g = gs_seg_alloc_fixed(max);
        s->kind = GS_STACK_FIXED;
    }
    if (!g)
        return errno ? errno : ENOMEM;
    s->top = s->bottom = g;
    s->judge_size = gs_cfg.mode == GS_MODE_CONTIGUOUS && gs_cfg.shrink &&
                            s->kind == GS_STACK_GROWABLE
                        ? 2 * s->initial - sizeof(struct gs_seg)
                        : SIZE_MAX;
    if (s->kind == GS_STACK_GROWABLE) {
        s->size = s->peak = GS_SEG_USABLE(g);
        s->guard = guard_for(g);
    } else {
        s->guard = watermark_init(s);
    }
    return 0;
}

static void free_chain(struct gs_seg *g)
{
    while (g) {
        struct gs_seg *n = g->next;
        gs_seg_free(g);
        g = n;
    }
}

void gs_stack_release(struct gs_stack *s)
{
    gs_dyn_free_all(&s->dyn);
    if (s->kind == GS_STACK_FIXED)
        watermark_release(s);
    gs_side_release(&s->side_owner);
    if (s->peak > gs_tls.stats.max_stack_bytes)
        gs_tls.stats.max_stack_bytes = s->peak;
    free_chain(s->bottom);
    s->top = s->bottom = NULL;
    s->size = 0;
    s->pin.seg = NULL;
    gs_mem_free(s->left);
    s->left = NULL;
}

/* Note that the live part of segment `old` left [lo, hi) (gs_stack_places),
 * as the newest entry. Without memory for the table, nothing is noted: a stale
 * jmp_buf copy is then reported at its landing as before. */
static void note_left(struct gs_stack *s, uintptr_t lo, uintptr_t hi, size_t base_off)
{
    if (!s->left && !(s->left = gs_mem_calloc(1, sizeof *s->left)))
        return;
    struct gs_stack_places *p = s->left;
    unsigned i = 0;
    while (i < p->n && !(p->e[i].lo == lo && p->e[i].hi == hi))
        i++;
    if (i == p->n && p->n < GS_STACK_PLACES_KEPT)
        p->n++;
    if (i == GS_STACK_PLACES_KEPT)
        i--; /* full: the oldest goes */
    memmove(&p->e[1], &p->e[0], i * sizeof p->e[0]);
    p->e[0] = (struct gs_stack_place){lo, hi, base_off};
}

/* Where an address saved while a segment of s lay at a recorded place is now:
 * at the same depth, in the present segment that holds it. 0 if no recorded
 * place holds a (the newest one that does decides) or no segment that depth. */
static int carry(const struct gs_stack *s, uintptr_t *a)
{
    const struct gs_stack_places *p = s->left;
    for (unsigned i = 0; i < p->n; i++) {
        const struct gs_stack_place *e = &p->e[i];
        if (*a < e->lo || *a >= e->hi)
            continue;
        size_t depth = e->base_off + (e->hi - *a);
        for (const struct gs_seg *g = s->top; g; g = g->prev)
            if (depth >= g->base_off && depth - g->base_off < GS_SEG_USABLE(g)) {
                *a = (uintptr_t)GS_SEG_HI(g) - (depth - g->base_off);
                return 1;
            }
        return 0;
    }
    return 0;
}

int gs_stack_jmpbuf_moved_landing(const struct gs_stack *s, uint64_t *jb)
{
    uintptr_t sp = gs_arch_ptr_demangle(jb[GS_JB_RSP]);
    if (gs_stack_seg_of(s, sp))
        return 0;
    uintptr_t was = sp;
    if (!carry(s, &sp))
        return 0;
    void *vbits = gs_seg_valgrind_vbits_save(jb, GS_JB_WORDS * 8);
    for (unsigned i = 0; i < GS_JB_WORDS; i++) {
        if (GS_JB_PLAIN_DATA(i)) {
            uintptr_t v = (uintptr_t)jb[i];
            if (carry(s, &v))
                jb[i] = v;
        } else if (GS_JB_MANGLED_DATA(i)) {
            uintptr_t v = gs_arch_ptr_demangle(jb[i]);
            if (carry(s, &v))
                jb[i] = gs_arch_ptr_mangle(v);
        }
    }
    gs_seg_valgrind_vbits_restore(vbits, jb, GS_JB_WORDS * 8);
    gs_tls.stats.jmpbufs_carried++;
    gs_trace("longjmp through a jmp_buf copy saved before a move: %%rsp %p -> %p",
             (void *)was, (void *)sp);
    return 1;
}

static int in_seg(const struct gs_seg *g, uintptr_t a)
{
    return a >= (uintptr_t)g->lo && a < (uintptr_t)GS_SEG_HI(g);
}

/* The limit that applies to s: GROWSTACK_MAX, or the fixed stack an
 * uninstrumented entry function got in a growable mode. */
static size_t stack_limit(const struct gs_stack *s)
{
    if (s->kind == GS_STACK_FIXED)
        return GS_SEG_USABLE(s->bottom);
    return gs_cfg.max;
}

/* The report never claims more than the limit: it says what was in use (the
 * stack from its base down to sp, counted across segments: at most the bytes
 * allocated, which never exceed the limit) and what the frame asked for. */
void gs_stack_overflow(const struct gs_stack *s, uintptr_t sp, size_t need, const char *why)
{
    char who[64];
    gs_thread_name_cur(who, sizeof who); /* s runs */
    size_t used = 0;
    if (s->top && in_seg(s->top, sp))
        used = GS_SEG_DEPTH(s->top, sp);
    gs_fatal_report("stack overflow in %s, mode %s: %s; %zu bytes of stack in use, the next "
                    "frame needs %zu more, limit %zu (GROWSTACK_MAX)",
                    who, s->kind == GS_STACK_FIXED && gs_cfg.mode != GS_MODE_FIXED
                             ? "fixed (uninstrumented entry)"
                             : gs_mode_name(gs_cfg.mode),
                    why, used, need, stack_limit(s));
}

/* ---- growth ---------------------------------------------------------------- */

/* Bytes a new segment needs beyond FRAME + ARGS: the guard slack, and what the
 * call on it takes (gs_arch_msr_call). */
#define GS_SEG_OVERHEAD (GS_STACK_GUARD + GS_ARCH_CALL_BYTES)

/* Make s->top the segment holding sp. A segmented return leaves s->top on the
 * newer segment (it is only brought up to date here, off the fast path), and a
 * longjmp may have left several segments. Returns 0 if sp is on none of them. */
int gs_stack_sync_top(struct gs_stack *s, uintptr_t sp)
{
    size_t dropped = 0;
    for (struct gs_seg *g = s->top; g; g = g->prev) {
        if (in_seg(g, sp)) {
            s->top = g;
            s->size -= dropped;
            return 1;
        }
        dropped += GS_SEG_USABLE(g);
    }
    /* Not below the old top: recount from the bottom. */
    size_t size = 0;
    for (struct gs_seg *g = s->bottom; g; g = g->next) {
        size += GS_SEG_USABLE(g);
        if (in_seg(g, sp)) {
            s->top = g;
            s->size = size;
            return 1;
        }
    }
    return 0;
}

struct gs_seg *gs_stack_seg_of(const struct gs_stack *s, uintptr_t sp)
{
    for (struct gs_seg *g = s->bottom; g; g = g->next)
        if (in_seg(g, sp))
            return g;
    return NULL;
}

static void note_size(struct gs_stack *s)
{
    if (s->size > s->peak)
        s->peak = s->size;
}

/* The guard to install for segment g: in stress mode (GROWSTACK_FORCE_MOVE) the
 * guard sits at the top so that every prologue check fails and grows. */
static uintptr_t guard_for(const struct gs_seg *g)
{
    if (gs_cfg.force_move && gs_cfg.mode == GS_MODE_CONTIGUOUS)
        return (uintptr_t)GS_SEG_HI(g);
    return GS_SEG_GUARD(g);
}

static uintptr_t watermark_guard(const struct gs_stack *s);

uintptr_t gs_stack_guard(const struct gs_stack *s)
{
    return s->kind == GS_STACK_FIXED ? watermark_guard(s) : guard_for(s->top);
}

int gs_stack_fast_split;
int gs_stack_fast_resync;

void gs_stack_start(void)
{
    __atomic_store_n(&gs_stack_fast_resync, !gs_cfg.trace, __ATOMIC_RELAXED);
    int fast = 0;
    if (!gs_cfg.trace && !gs_seg_under_valgrind()) {
        if (gs_cfg.mode == GS_MODE_SEGMENTED)
            fast = GS_FAST_SPLIT_SEGMENTED;
        else if (gs_cfg.mode == GS_MODE_CONTIGUOUS && !gs_cfg.force_move)
            fast = GS_FAST_SPLIT_PINNED;
    }
    __atomic_store_n(&gs_stack_fast_split, fast, __ATOMIC_RELAXED);
    __atomic_store_n(&gs_stack_leaf_grow, gs_cfg.mode != GS_MODE_SEGMENTED, __ATOMIC_RELAXED);
}

/* Segmented growth (protocol.md 5.2): run the body on the next segment.
 * __morestack repeats the split of a hot call itself (gs_stack_fast_split). */
static void grow_segmented(struct gs_stack *s, struct gs_morestack_regs *r)
{
    size_t frame = gs_arch_msr_frame(r), args = gs_arch_msr_args(r);
    size_t need = frame + args + GS_SEG_OVERHEAD;
    struct gs_seg *top = s->top, *n = top->next;
    if (n && GS_SEG_USABLE(n) >= need && s->size + GS_SEG_USABLE(n) <= gs_cfg.max) {
        gs_tls.stats.segments_reused++;
        gs_seg_valgrind_fresh(n);
    } else {
        if (n) {
            top->next = NULL;
            free_chain(n);
        }
        size_t want = gs_cfg.segment - sizeof(struct gs_seg);
        if (want < need)
            want = need;
        want = gs_seg_usable_for(want);
        if (s->size + want > gs_cfg.max) {
            /* A smaller segment that still fits the frame and the limit? */
            want = gs_seg_usable_fit(gs_cfg.max - s->size);
            if (want < need || s->size + want > gs_cfg.max)
                gs_stack_overflow(s, r->sp, frame + args, "a new segment would exceed the limit");
        }
        n = gs_seg_alloc(want);
        if (!n)
            gs_fatal("out of memory for a %zu-byte stack segment", want);
        top->next = n;
        gs_tls.stats.segments_new++;
    }
    /* Also for a reused segment: the segment below may have moved since. */
    n->prev = top;
    n->base_off = top->base_off + GS_SEG_USABLE(top);
    gs_trace("split sp=%p rbp=%p from [%p,%p) to [%p,%p) frame=%zu args=%zu body=%p",
             (void *)r->sp, (void *)gs_arch_msr_fp(r), (void *)top->lo, (void *)GS_SEG_HI(top),
             (void *)n->lo, (void *)GS_SEG_HI(n), frame, args, (void *)gs_arch_msr_body(r));
    s->top = n;
    s->size += GS_SEG_USABLE(n);
    note_size(s);
    gs_tls.stats.splits++;
    gs_tls.stats.splits_slow++;
    gs_arch_msr_call(r, GS_SEG_HI(n), guard_for(n));
}

/* ---- pins (protocol.md 5.4) ------------------------------------------------- */

static __attribute__((noinline)) void trace_pin(const struct gs_stack *s, const char *how)
{
    char who[64];
    gs_thread_name_cur(who, sizeof who); /* s runs */
    gs_trace("pin%s in %s: frame of %s (%s), return address %p", how, who,
             gs_pins_name(s->pin.site), gs_pins_reason_name(gs_pins_reason(s->pin.site)),
             (void *)s->pin.ret);
}

/* On the path of a hot split above a pinned frame: a few instructions. */
static inline __attribute__((always_inline)) void note_pin(const struct gs_stack *s,
                                                           const char *how)
{
    gs_tls.stats.pins++;
    gs_pins_count(&gs_tls.pin_tally, s->pin.site);
    if (__builtin_expect(gs_cfg.trace, 0))
        trace_pin(s, how);
}

/* A frame walk found a frame that cannot move; the return address that
 * identified it is at `slot`. Remember where, so the next growth of the same
 * segment can see the frame is still there without walking again. */
static int pinned(struct gs_stack *s, const struct gs_seg *g, uintptr_t slot, unsigned reason,
                  uintptr_t key, const char *name)
{
    s->pin = (struct gs_pin_verdict){(struct gs_seg *)g, slot, ((uint64_t *)slot)[0],
                                     ((uint64_t *)slot)[-1], gs_pins_site(key, reason, name)};
    return 0;
}

/* Whether every live frame in segment g may move (protocol.md 5.4). `slot`
 * holds a return address into the innermost live frame and fp is %rbp in that
 * frame. Each return address must lie in an instrumented function whose record
 * does not pin it; the step to the caller's frame follows the frame rule the
 * module's call-frame information gives at that address (unwind.h: CFA from
 * %rsp or %rbp, the caller's %rbp unchanged or saved in the frame), so code
 * needs no frame pointers. The parking frame of a blocking call (block_*.S)
 * keeps one. When it finds a pin it fills s->pin (the verdict) and returns 0. */
static int frames_movable(struct gs_stack *s, const struct gs_seg *g, uintptr_t slot,
                          uintptr_t fp)
{
    uintptr_t last_pc = 0; /* deep recursion repeats one return address */
    struct gs_func_info fi;
    for (;;) {
        uintptr_t pc = *(uint64_t *)slot, cfa;
        if (pc == (uintptr_t)gs_ctx_entry_ret || pc == (uintptr_t)__morestack_return)
            return 1; /* the base of the coroutine, or of this segment */
        if (pc == (uintptr_t)gs_park_ret) {
            /* A parked blocking call's frame: its layout is known and every
             * word of it may be relocated (docs/netpoll.md). */
            if (!in_seg(g, fp))
                return pinned(s, g, slot, GS_PIN_CHAIN, pc, NULL);
            cfa = gs_arch_park_cfa(fp);
            fp = gs_arch_park_caller_fp(fp);
        } else {
            if (pc != last_pc) {
                if (!gs_records_find(pc, &fi)) {
                    gs_tls.stats.unknown_frames++;
                    return pinned(s, g, slot, GS_PIN_UNKNOWN, pc, NULL);
                }
                unsigned why = gs_pins_reason_of(fi.flags);
                if (why)
                    return pinned(s, g, slot, why, fi.start, fi.name);
                if (!fi.frame.ok)
                    return pinned(s, g, slot, GS_PIN_NOUNWIND, fi.start, fi.name);
                last_pc = pc;
            }
            cfa = (fi.frame.cfa_rbp ? fp : gs_arch_frame_sp(slot)) + (intptr_t)fi.frame.cfa_off;
            if (fi.frame.rbp_off) {
                uintptr_t at = cfa + (intptr_t)fi.frame.rbp_off;
                if (!in_seg(g, at))
                    return pinned(s, g, slot, GS_PIN_CHAIN, pc, NULL);
                fp = *(const uint64_t *)at;
            }
        }
        uintptr_t next = gs_arch_frame_ret_slot(cfa);
        if (next <= slot || !in_seg(g, next))
            return pinned(s, g, slot, GS_PIN_CHAIN, pc, NULL);
        slot = next;
    }
}

/* Whether the pinned frame the last walk found is still live in the top
 * segment: its return address and the word below it are where they were,
 * inside the live part (at or above F's return address). Then growing again
 * above it (a hot split under a pinned frame) costs what segmented growth
 * costs: no walk. A stale match (other frames that happen to hold the same two
 * words at the same place) only makes this growth chain a segment instead of
 * moving, which is always correct; a false "movable" cannot come from here. */
static int pin_still_holds(const struct gs_stack *s, uintptr_t ret_slot)
{
    const struct gs_pin_verdict *v = &s->pin;
    return v->seg == s->top && v->slot >= ret_slot && v->slot < (uintptr_t)GS_SEG_HI(s->top) &&
           ((uint64_t *)v->slot)[0] == v->ret && ((uint64_t *)v->slot)[-1] == v->below;
}

/* ---- moving -------------------------------------------------------------- */

static void relocate(uint64_t *v, uintptr_t lo, uintptr_t hi, intptr_t delta)
{
    if (*v >= lo && *v < hi)
        *v += (uint64_t)delta;
}

/* relocate() over n words, without a branch per word: every word is written
 * back, +delta or +0 (one unsigned compare against the span). The words are
 * the moved stack, which was just written (copied) or is dirty already (moved
 * pages), so the stores cost no new pages; a data-dependent branch here
 * mispredicted at every frame's saved %rbp and was most of the scan's cost
 * (issue 13). */
static inline uint64_t relocated(uint64_t v, uintptr_t lo, uint64_t span, intptr_t delta)
{
    return v + (v - lo < span ? (uint64_t)delta : 0);
}

static void relocate_words(uint64_t *w, size_t n, uintptr_t lo, uintptr_t hi, intptr_t delta)
{
    uint64_t span = (uint64_t)(hi - lo);
    for (size_t i = 0; i < n; i++)
        w[i] = relocated(w[i], lo, span, delta);
}

/* The same fused with the copy: w[i] = relocated from[i], one pass over the
 * live part where memcpy then relocate_words made two (a new coroutine that
 * grows into cached blocks copies at every move: 10^4 frames of 1 KiB,
 * 245 -> 140 ns/frame). */
static void copy_relocate_words(uint64_t *w, const uint64_t *from, size_t n, uintptr_t lo,
                                uintptr_t hi, intptr_t delta)
{
    uint64_t span = (uint64_t)(hi - lo);
    for (size_t i = 0; i < n; i++)
        w[i] = relocated(from[i], lo, span, delta);
}

/* setjmp buffers (protocol.md 7.3). Each buffer a jb node names holds saved
 * registers; those that point into the moved live part [lo, hi) must move with
 * it. A buffer outside [lo, hi) (side stack, heap) is fixed in place. A buffer
 * inside was moved with the stack: its pointer in the node moves by delta, its
 * plain words are relocated by the word scan like any word of the stack, and
 * its mangled words (rbp, rsp) are computed here *before* the scan, from the
 * moved buffer's words where they are now (`unmoved`: 0 when the pages moved
 * already, delta when the copy, fused with the scan, has yet to make them),
 * and written back *after* it: the scan must not change a mangled value that
 * happens to look like a stack address. */
struct jb_fix {
    uint64_t *at;
    uint64_t value;
};

static struct jb_fix *jmpbufs_before_scan(struct gs_jb_node *head, uintptr_t lo, uintptr_t hi,
                                          intptr_t delta, intptr_t unmoved, size_t *nfix)
{
    struct jb_fix *fix = NULL;
    size_t n = 0, cap = 0;
    for (struct gs_jb_node *node = head; node; node = node->prev) {
        if ((uintptr_t)node >= lo && (uintptr_t)node < hi)
            gs_fatal("setjmp node %p lies on the moving stack [%p, %p): it must be in a side "
                     "frame (docs/protocol.md 7.3)",
                     (void *)node, (void *)lo, (void *)hi);
        for (uint64_t k = 0; k < node->count; k++) {
            uint64_t *jb = node->buf[k];
            if (!jb)
                continue;
            int moved = (uintptr_t)jb >= lo && (uintptr_t)jb < hi;
            if (moved)
                node->buf[k] = jb = (uint64_t *)((uintptr_t)jb + (uintptr_t)delta);
            /* (A moved buffer's definedness is kept with the moved range's.) */
            void *vbits = moved ? NULL : gs_seg_valgrind_vbits_save(jb, GS_JB_WORDS * 8);
            for (unsigned i = 0; i < GS_JB_WORDS; i++) {
                if (GS_JB_PLAIN_DATA(i) && !moved)
                    relocate(&jb[i], lo, hi, delta);
                if (!GS_JB_MANGLED_DATA(i))
                    continue;
                uint64_t *at = moved ? (uint64_t *)((uintptr_t)&jb[i] - (uintptr_t)unmoved)
                                     : &jb[i];
                uint64_t v = gs_arch_ptr_demangle(*at);
                relocate(&v, lo, hi, delta);
                if (!moved) {
                    jb[i] = gs_arch_ptr_mangle(v);
                    continue;
                }
                if (n == cap) {
                    cap = cap ? 2 * cap : 16;
                    fix = gs_mem_realloc(fix, cap * sizeof *fix);
                    if (!fix)
                        gs_fatal("out of memory relocating setjmp buffers");
                }
                fix[n++] = (struct jb_fix){&jb[i], gs_arch_ptr_mangle(v)};
            }
            gs_seg_valgrind_vbits_restore(vbits, jb, GS_JB_WORDS * 8);
        }
    }
    *nfix = n;
    return fix;
}

static void jmpbufs_after_scan(struct jb_fix *fix, size_t n)
{
    for (size_t i = 0; i < n; i++)
        *fix[i].at = fix[i].value;
    gs_mem_free(fix);
}

/* Move the live part [sp, hi) of s's top segment `old` into `n` at the same
 * distance from the top (copied, or moved page by page when both are mappings
 * and `n` is fresh or `old` large: gs_seg_move_pages), relocate every word of it that points into `old`, fix
 * the runtime's own references (segment links, setjmp buffers), and free
 * `old`. `jb` is the owner's jb list (in __gs_side while it runs, in s->side
 * while it is suspended). Returns delta = new hi - old hi. */
static intptr_t move_top(struct gs_stack *s, struct gs_seg *old, struct gs_seg *n, uintptr_t sp,
                         struct gs_jb_node *jb)
{
    struct gs_seg o = *old; /* old's memory may be gone after the move */
    uintptr_t hi = (uintptr_t)GS_SEG_HI(old);
    size_t used = hi - sp;
    intptr_t delta = (intptr_t)((uintptr_t)GS_SEG_HI(n) - hi);
    uint64_t *to = (uint64_t *)(sp + (uintptr_t)delta);
    gs_assert(used % 8 == 0); /* %rsp of the x86-64 ABI: the scan copies whole words */
    int remapped = gs_seg_move_pages(old, n, sp);
    /* The live part is where it will be (moved pages) or still where it was
     * (to be copied by the scan itself). */
    void *vbits = gs_seg_valgrind_vbits_save(remapped ? (void *)to : (void *)sp, used);
    size_t nfix;
    struct jb_fix *fix = jmpbufs_before_scan(jb, sp, hi, delta, remapped ? 0 : delta, &nfix);
    /* Words of the moved region that point into its live part [sp, hi): saved
     * frame pointers (the frame chain), spilled pointers to locals, saved
     * callee-saved registers. This is the conservative step (protocol.md 5.3,
     * item 3): an integer that equals such an address is changed too. Two things
     * keep that rare: only the live part counts (a pointer below sp points into
     * a dead frame and is left alone), and blocks are aligned to their size
     * class, so delta is a multiple of 2 KiB and the low 11 bits of a word (where
     * a char or short written over an old pointer's low bytes lives) never
     * change. Frames holding x87 long doubles, whose 16-byte slots keep 6 stale
     * bytes next to the exponent, are pinned by the plugin (GS_REC_X87). */
    gs_seg_valgrind_scan(1);
    if (remapped)
        relocate_words(to, used / 8, sp, hi, delta);
    else
        copy_relocate_words(to, (const uint64_t *)sp, used / 8, sp, hi, delta);
    gs_seg_valgrind_scan(0);
    jmpbufs_after_scan(fix, nfix);
    gs_seg_valgrind_vbits_restore(vbits, to, used);
    n->base_off = o.base_off;
    n->prev = o.prev;
    n->next = o.next;
    if (o.prev)
        o.prev->next = n;
    if (o.next)
        o.next->prev = n;
    if (s->bottom == old)
        s->bottom = n;
    s->top = n;
    s->pin.seg = NULL;
    s->size = s->size - (hi - (uintptr_t)o.lo) + GS_SEG_USABLE(n);
    gs_trace("move sp=%p [%p,%p) to [%p,%p) used=%zu delta=%ld%s", (void *)sp, (void *)o.lo,
             (void *)hi, (void *)n->lo, (void *)GS_SEG_HI(n), used, (long)delta,
             remapped ? " (pages moved)" : "");
    if (!remapped) {
        old->next = NULL;
        gs_seg_free(old);
    }
    gs_tls.stats.bytes_copied += used;
    note_left(s, (uintptr_t)o.lo, hi, o.base_off);
    return delta;
}

/* Usable bytes of the block a contiguous growth of `old` asks for, before
 * FRAME and the limit are considered (protocol.md 5.3): twice its size, but
 * four times from a chunk-carved block of 8 KiB or more, up to the first
 * individually mapped class. Every byte of a chunk-carved block a stack grew
 * through was touched (the copy fills its upper part, the stack its lower
 * part), and a cached one had its pages dropped by a trim: a stack growing
 * from 2 KiB to 128 KiB by doubling touches 126 KiB of them, by 4x from 8 KiB
 * 46 KiB (cold 10^4 x 32 B recursion: 20 page faults fewer of 146). Below
 * 8 KiB the doubling stays, so that a coroutine needing a little more than
 * the initial 2 KiB keeps a small block; from 128 KiB on the pages of the old
 * block move into the new one (gs_seg_move_pages) and doubling costs no pages.
 * But the part the stack grows into below them still faults in 4 KiB at a
 * time until the blocks reach 2 MiB: with huge pages on, a stack that outgrows
 * 256 KiB (GS_HUGE_JUMP_FROM) goes straight to a 2 MiB block, into which its
 * live part is copied rather than moved (gs_seg_can_remap), so that the first
 * touch of the block's top faults in one huge page and the stack grows into
 * that page for free: one fault instead of up to 448 on the way to 2 MiB
 * (10 us each on this project's VMs), for at most 2 MiB resident where the
 * doubling would have had 512 KiB or 1 MiB. */
static size_t grow_to(const struct gs_seg *old)
{
    size_t cur = GS_SEG_USABLE(old);
    if (gs_cfg.hugepages && old->size >= GS_HUGE_JUMP_FROM && old->size < GS_HUGE_MIN)
        return GS_HUGE_MIN - sizeof(struct gs_seg);
    if (old->kind != GS_SEG_POOL || old->size < GS_GROW4_MIN)
        return 2 * cur;
    size_t first_mapped = GS_CLASS_SIZE(GS_POOL_CLASSES) - sizeof(struct gs_seg);
    size_t want = 4 * cur < first_mapped ? 4 * cur : first_mapped;
    return want > 2 * cur ? want : 2 * cur;
}

/* Contiguous growth (protocol.md 5.3): copy [sp, hi) of the top segment to a
 * block twice as large, relocate, resume the body there; a block with room
 * reserved below it (2 MiB and more) grows in place instead. Near GROWSTACK_MAX
 * the block is what the limit allows, if that is still larger than the old
 * one and holds the stack; otherwise the growth chains a segment (which uses
 * what is left under the limit, and reports the overflow when nothing is):
 * never a copy into a block of the same size. */
static int move_up(struct gs_stack *s, struct gs_morestack_regs *r, int leaf);

static void grow_contiguous(struct gs_stack *s, struct gs_morestack_regs *r)
{
    if (!move_up(s, r, 0))
        grow_segmented(s, r);
}

/* The move of grow_contiguous: 1 when the stack moved or its block grew in
 * place (r says where the body resumes), 0 when it cannot (a pinned frame, the
 * limit): the caller chains a
 * segment, or, for a leaf's request (`leaf`: gs_stack_grow_leaf), declines,
 * and then no pin is counted (no segment was chained for it). */
static int move_up(struct gs_stack *s, struct gs_morestack_regs *r, int leaf)
{
    struct gs_seg *old = s->top;
    size_t frame = gs_arch_msr_frame(r), args = gs_arch_msr_args(r);
    uintptr_t hi = (uintptr_t)GS_SEG_HI(old);
    size_t used = hi - r->sp;
    size_t need = used + frame + args + GS_SEG_OVERHEAD;
    size_t cur = GS_SEG_USABLE(old);
    size_t room = gs_cfg.max - (s->size - cur); /* for the new block */
    size_t want = gs_cfg.force_move ? cur : grow_to(old);
    if (want < need)
        want = need;
    want = gs_seg_usable_for(want); /* what the allocator will really hand out */
    if (want < need || want > room) {
        /* The doubling passes the limit (or the largest block class). */
        want = gs_seg_usable_fit(room);
        if (want < need || (want <= cur && !gs_cfg.force_move)) {
            gs_trace("near the limit: %zu bytes left for a block of at least %zu; %s", room,
                     need, leaf ? "the leaf call takes the trampoline" : "chaining a segment");
            return 0;
        }
    }
    /* A block with address space reserved below it grows into it: nothing
     * moves, so no frame needs to be movable (a pinned one included) and
     * nothing is relocated (protocol.md 5.3). */
    if (!gs_cfg.force_move && gs_seg_extend(old, want)) {
        s->size += GS_SEG_USABLE(old) - cur;
        note_size(s);
        gs_tls.stats.grown_in_place++;
        gs_trace("grew in place to [%p,%p)", (void *)old->lo, (void *)GS_SEG_HI(old));
        gs_arch_msr_resume(r, gs_arch_msr_body(r), gs_arch_msr_ret_slot(r), guard_for(old));
        return 1;
    }
    /* The cheapest exit: the pinned frame the last walk found is still live
     * here, so this growth chains a segment whatever else holds. */
    if (pin_still_holds(s, gs_arch_msr_ret_slot(r))) {
        if (!leaf)
            note_pin(s, " (cached)");
        return 0;
    }
    /* F's return address is in its caller, whose frame is the one in the
     * register block. (A leaf's thunk is F: it has no frame, the slot holds
     * the return address into the instrumented code that called it.) */
    if (!frames_movable(s, old, gs_arch_msr_ret_slot(r), gs_arch_msr_fp(r))) {
        if (!leaf)
            note_pin(s, "");
        return 0;
    }
    /* A cached block whose pages are not resident is prefaulted (protocol.md
     * 5.3); a fresh one receives the old block's pages (gs_seg_move_pages). */
    struct gs_seg *n = gs_seg_alloc_growth(want, gs_cfg.force_move ? 0 : room, !gs_cfg.force_move);
    if (!n)
        gs_fatal("out of memory for a %zu-byte stack", want);
    uintptr_t body = gs_arch_msr_body(r); /* read on the old stack */
    uintptr_t live_lo = r->sp;
    intptr_t delta = move_top(s, old, n, r->sp, __gs_side.jb);
    void *vbits = gs_seg_valgrind_vbits_save(r, sizeof *r);
    gs_arch_msr_relocate(r, live_lo, hi, delta);
    gs_seg_valgrind_vbits_restore(vbits, r, sizeof *r);
    note_size(s);

    gs_tls.stats.moves++;
    gs_arch_msr_resume(r, body, gs_arch_msr_ret_slot(r) + (uintptr_t)delta, guard_for(n));
    return 1;
}

static void watermark_grow(struct gs_stack *s, struct gs_morestack_regs *r);

/* The stack grew: if that follows a shrink its history allowed, the history
 * was too short for this stack's pattern (deep every few runs), and the next
 * shrink waits twice as many shallow runs (protocol.md 5.4a). */
static void shrink_backoff(struct gs_stack_usage *u)
{
    if (u->shrunk) {
        u->shrunk = 0;
        u->wait = u->wait < GS_SHRINK_WAIT_MAX / 2 ? 2 * u->wait : GS_SHRINK_WAIT_MAX;
    }
}

void gs_stack_grow(struct gs_stack *s, struct gs_morestack_regs *r)
{
    if (s->kind == GS_STACK_FIXED) {
        watermark_grow(s, r);
        return;
    }
    if (!gs_stack_sync_top(s, r->sp))
        gs_fatal("__morestack: %%rsp %p is on none of the coroutine's segments", (void *)r->sp);
    struct gs_stack_usage *u = &s->usage;
    u->grew = 1;
    if (u->probe) {
        /* The run passed half the stack's depth: it needs its size. If the
         * frame fits above the real guard, that is all this check was. */
        uintptr_t real = guard_for(s->top);
        if (s->top == s->bottom && gs_arch_msr_probe(r) > real) {
            gs_arch_msr_resume(r, gs_arch_msr_body(r), gs_arch_msr_ret_slot(r), real);
            return;
        }
    }
    shrink_backoff(u);
    if (gs_cfg.mode == GS_MODE_CONTIGUOUS)
        grow_contiguous(s, r);
    else
        grow_segmented(s, r);
}

/* ---- growth for a measured C library function (protocol.md 4.1a) ------------ *
 *
 * A thunk of gs_libc_leaves.h whose function needs more room above the guard
 * than %rsp has asks __morestack_leaf to grow the stack, as if it were a
 * function of BYTES whose prologue check failed. The growth is made only where
 * it lasts and costs nothing later: a fixed stack lowers its watermark, a
 * contiguous one moves to a larger block; then the thunk finds the room and
 * every later call from that depth runs the function directly. Everything else
 * declines: the thunk resumes unchanged, finds the room still missing and
 * takes the system-stack trampoline, as before. Declined: segmented mode
 * (__morestack_leaf never asks: a segment chained for the call would be
 * unlinked when it returns, a split per call), a pinned frame in the top
 * segment (a move would chain a segment too), a block that would pass
 * GROWSTACK_MAX, a fixed stack whose real end is near (never an overflow
 * report the trampoline would have avoided). The guard a decline saw is kept
 * in gs_leaf_declined: __morestack_leaf takes the trampoline at once while the
 * guard is that one (any growth, move, switch to another stack or resync
 * changes it). */

static int watermark_lower(struct gs_stack *s, uintptr_t below);

int gs_stack_leaf_grow;
__thread uintptr_t gs_leaf_declined __attribute__((tls_model("initial-exec")));
__thread uint64_t gs_stack_split_mark __attribute__((tls_model("initial-exec")));

static void leaf_decline(struct gs_morestack_regs *r, uintptr_t guard)
{
    gs_tls.stats.leaf_declines++;
    gs_leaf_declined = guard;
    gs_arch_msr_resume(r, gs_arch_msr_body(r), gs_arch_msr_ret_slot(r), guard);
}

void gs_stack_grow_leaf(struct gs_stack *s, struct gs_morestack_regs *r)
{
    uintptr_t slot = gs_arch_msr_ret_slot(r);
    uintptr_t want = slot - gs_arch_msr_frame(r); /* what the thunk compared */
    uintptr_t guard = r->guard;                   /* in place at entry (protocol.md 5) */
    if (s->kind == GS_STACK_FIXED) {
        /* Below the real guard lies only the slack: decline before
         * watermark_lower would count the whole stack as given. */
        if (want <= GS_SEG_GUARD(s->bottom) || !watermark_lower(s, want)) {
            leaf_decline(r, guard);
            return;
        }
        gs_tls.stats.leaf_grows++;
        gs_arch_msr_resume(r, gs_arch_msr_body(r), slot, watermark_guard(s));
        return;
    }
    if (!gs_stack_sync_top(s, r->sp))
        gs_fatal("__morestack: %%rsp %p is on none of the coroutine's segments", (void *)r->sp);
    struct gs_stack_usage *u = &s->usage;
    uintptr_t real = guard_for(s->top);
    if (u->probe && guard == u->probe) {
        /* The run passed half the stack's depth (gs_stack_grow): it needs
         * its size. Above the real guard that is all. */
        u->grew = 1;
        guard = real;
        if (want > real) {
            gs_arch_msr_resume(r, gs_arch_msr_body(r), slot, real);
            return;
        }
    }
    if (gs_cfg.mode != GS_MODE_CONTIGUOUS || !move_up(s, r, 1)) {
        leaf_decline(r, guard);
        return;
    }
    u->grew = 1;
    shrink_backoff(u);
    gs_tls.stats.leaf_grows++;
}

/* ---- shrinking (protocol.md 5.4a) --------------------------------------------- *
 *
 * A contiguous stack is halved only when its history says it no longer needs
 * its size. Go shrinks at garbage collections (rare), when under a quarter is
 * in use; a coroutine runtime sees every run, so it can ask each run directly:
 * while the stack is suspended, the guard it will run with is armed as a
 * *probe* at half the stack's depth. A run that passes it calls __morestack
 * once, which only notes the hit, installs the real guard and resumes in place
 * (gs_stack_grow: ~0.1 us); a run that does not stayed within what the halved
 * stack would hold. The stack shrinks after `wait` such shallow runs in a row,
 * if it also uses under a quarter of itself at the suspension. Two backoffs
 * keep the costs at the floor:
 *  - a stack deep on every run hits the probe: after a hit the next 1, 3, 7,
 *    ... 63 runs are not probed (and not judged), so it pays one hit per 64
 *    runs at most;
 *  - a stack deep every few runs (shallow runs between) can look shallow long
 *    enough: if it grows again after a shrink, `wait` doubles (4 .. 1024), and
 *    a shrink that held for `wait` runs halves it again.
 * Under GROWSTACK_FORCE_MOVE the guard sits at the top (every check grows) and
 * no probe is armed: a run without growth counts as shallow, as it does for a
 * stack too small to shrink. */

/* Usable bytes of the block a shrink of s's single segment `top` gives: half
 * its size; but with huge pages on, a 2 MiB block goes back to 256 KiB
 * (GS_HUGE_JUMP_FROM), the block grow_to's jump left, when the coroutine
 * started at or under that: growth never makes the sizes between, so a stack
 * halved to one of them would jump back to 2 MiB at its next growth. */
static size_t shrunk_usable(const struct gs_stack *s, const struct gs_seg *top)
{
    size_t size = GS_SEG_USABLE(top) + sizeof(struct gs_seg);
    size_t to = size / 2;
    if (gs_cfg.hugepages && size == GS_HUGE_MIN && s->initial <= GS_HUGE_JUMP_FROM)
        to = GS_HUGE_JUMP_FROM;
    return to - sizeof(struct gs_seg);
}

/* The probe guard for a single-segment stack `top`: the real guard of the
 * block a shrink would give it (shrunk_usable, from the same top). */
static uintptr_t probe_for(const struct gs_stack *s, const struct gs_seg *top)
{
    return (uintptr_t)GS_SEG_HI(top) - shrunk_usable(s, top) + GS_STACK_GUARD;
}

static void judge_run(struct gs_stack *s)
{
    struct gs_stack_usage *u = &s->usage;
    u->judged = u->runs;
    if (u->probe) {
        if (!u->grew && s->guard == u->probe) {
            u->shallow++;
            u->gap = 0;
        } else {
            u->shallow = 0;
            u->gap = u->gap < GS_PROBE_GAP_MAX / 2 ? 2 * u->gap + 1 : GS_PROBE_GAP_MAX;
            u->skip = u->gap;
        }
        if (s->guard == u->probe)
            s->guard = guard_for(s->top); /* disarmed until armed again */
        u->probe = 0;
    } else if (u->grew) {
        u->shallow = 0;
    } else if (u->skip) {
        u->skip--; /* not probed (backoff): says nothing */
    } else if (gs_cfg.force_move ||
               GS_SEG_USABLE(s->top) + sizeof(struct gs_seg) < 2 * s->initial) {
        u->shallow++; /* cannot be probed (see above) and did not grow */
    } else {
        u->shallow = 0; /* not probed (several segments, or over half in use) */
    }
    u->grew = 0;
    if (u->shrunk && u->shallow >= u->wait) {
        /* The last shrink held for `wait` runs. */
        u->shrunk = 0;
        if (u->wait > GS_SHRINK_WAIT_MIN)
            u->wait /= 2;
    }
}

/* A contiguous, suspended or parked, single-segment stack that uses under a
 * quarter of its size moves to one half as large (or from 2 MiB to 256 KiB:
 * shrunk_usable), never below the initial size.
 * The saved context was made by gs_yield straight from an instrumented frame, or
 * by a blocking call's parking frame whose resume address is gs_park_ret
 * (frames_movable knows it), so its saved PC and frame pointer start the frame
 * walk. */
struct shrink {
    struct gs_stack *s;
    void **saved_sp;
};

/* Move a suspended stack's only segment `old` (live part from the saved sp) to
 * `n`; the saved context and the guard the next run loads follow it. */
static void move_suspended(struct shrink *k, struct gs_seg *old, struct gs_seg *n, uintptr_t sp)
{
    intptr_t delta = move_top(k->s, old, n, sp, k->s->side.jb);
    *k->saved_sp = (char *)*k->saved_sp + delta;
    k->s->guard = guard_for(n);
}

static void shrink_on_sys(void *arg)
{
    struct shrink *k = arg;
    struct gs_stack *s = k->s;
    uintptr_t sp = (uintptr_t)*k->saved_sp;
    if (!gs_stack_sync_top(s, sp) || s->top != s->bottom)
        return;
    struct gs_seg *old = s->top;
    size_t cur = GS_SEG_USABLE(old), used = (uintptr_t)GS_SEG_HI(old) - sp;
    size_t half = shrunk_usable(s, old);
    if (used >= cur / 4 || half + sizeof(struct gs_seg) < s->initial ||
        used + GS_SEG_OVERHEAD > half)
        return;
    if (!frames_movable(s, old, gs_arch_ctx_pc_slot(sp), gs_arch_ctx_fp(sp)))
        return;
    struct gs_seg *n = gs_seg_alloc(half);
    if (!n)
        return; /* shrinking is an optimisation */
    move_suspended(k, old, n, sp);
    s->usage.shallow = 0;
    s->usage.shrunk = 1;
    gs_tls.stats.shrinks++;
    /* The side stack gives back what it cached for deeper calls too. */
    gs_side_trim(&s->side_owner, &s->side);
}

/* GROWSTACK_FORCE_MOVE: the owner of s just parked in a blocking call; its
 * stack moves to a new block of the same size, so that every park tests the
 * relocation of the parking frame (docs/netpoll.md) the way every prologue check
 * tests the rest. Counted as a move. */
static void move_parked_on_sys(void *arg)
{
    struct shrink *k = arg;
    struct gs_stack *s = k->s;
    uintptr_t sp = (uintptr_t)*k->saved_sp;
    if (!gs_stack_sync_top(s, sp) || s->top != s->bottom)
        return;
    struct gs_seg *old = s->top;
    if (!frames_movable(s, old, gs_arch_ctx_pc_slot(sp), gs_arch_ctx_fp(sp)))
        return;
    struct gs_seg *n = gs_seg_alloc(GS_SEG_USABLE(old));
    if (!n)
        gs_fatal("out of memory for a %zu-byte stack", GS_SEG_USABLE(old));
    move_suspended(k, old, n, sp);
    gs_tls.stats.moves++;
}

void gs_stack_move_parked(struct gs_stack *s, void **saved_sp)
{
    if (gs_cfg.mode != GS_MODE_CONTIGUOUS || !gs_cfg.force_move || s->kind != GS_STACK_GROWABLE)
        return;
    struct shrink k = {s, saved_sp};
    gs_sys_call(move_parked_on_sys, &k);
}

void gs_stack_usage_check(struct gs_stack *s, void **saved_sp)
{
    struct gs_stack_usage *u = &s->usage;
    if (u->runs != u->judged)
        judge_run(s);
    /* The common case costs a few compares: a stack at its initial size, a
     * probe already armed, or one that uses a quarter or more of its top
     * segment (s->top may lag behind after segmented returns; shrink_on_sys
     * rechecks precisely). */
    struct gs_seg *top = s->top;
    size_t size = GS_SEG_USABLE(top);
    if (size + sizeof(struct gs_seg) < 2 * s->initial || u->probe)
        return;
    uintptr_t sp = (uintptr_t)*saved_sp;
    int on_top = sp >= (uintptr_t)top->lo && sp < (uintptr_t)GS_SEG_HI(top);
    if (u->shallow >= u->wait && !(on_top && (uintptr_t)GS_SEG_HI(top) - sp >= size / 4)) {
        struct shrink k = {s, saved_sp};
        gs_sys_call(shrink_on_sys, &k);
        top = s->top; /* synced to sp, moved, or as it was */
    }
    /* Arm the probe for the next run: only on a single segment holding sp whose
     * guard is the real one, and not right after a hit (the backoff). */
    if (u->skip || gs_cfg.force_move || top != s->bottom || s->guard != guard_for(top))
        return;
    sp = (uintptr_t)*saved_sp;
    if (!(sp >= (uintptr_t)top->lo && sp < (uintptr_t)GS_SEG_HI(top)))
        return;
    if (GS_SEG_USABLE(top) + sizeof(struct gs_seg) < 2 * s->initial)
        return;
    uintptr_t probe = probe_for(s, top);
    if (probe <= s->guard || sp <= probe)
        return; /* already below half: the run could not stay within it */
    u->probe = probe;
    s->guard = probe;
}

/* ---- fixed stacks: the watermark (protocol.md 5.1) --------------------------------
 *
 * How much of a fixed stack a coroutine uses. A fixed stack is one mapping of
 * GROWSTACK_MAX (segment.c); the kernel commits pages as they are touched, so
 * the mapping's size says nothing about use, and a cached mapping keeps the
 * pages an earlier coroutine touched (mincore would count those too). The
 * guard slot says it exactly, for free: instead of the stack's real end, the
 * guard is set at a *watermark* near the top, so the first prologue check that
 * would go below it calls __morestack. gs_stack_grow then lowers the watermark
 * (by 4 KiB, or an eighth of the depth for deep stacks: O(log) events, each
 * ~100 ns) and resumes the function in place, as if the check had passed; only
 * a frame that does not fit above the real end is an overflow. The stack a
 * coroutine was given is then
 *
 *     given = hi - watermark + GS_STACK_GUARD   (at most the mapping)
 *
 * at most one step above what its frames reached: its max_stack_bytes, and
 * what it adds to stack_bytes while it lives (a fixed mapping's size counts in
 * mapped_bytes). Code without checks (an uninstrumented entry function) is not
 * seen: it counts what the instrumented code it calls reached.
 *
 * s->size holds `given` for a fixed stack; the watermark is derived from it
 * (watermark_guard), so nothing else needs storing.
 */
#define GS_MARK_STEP ((size_t)4096)

static size_t given_for(const struct gs_seg *g, uintptr_t guard)
{
    size_t given = (uintptr_t)GS_SEG_HI(g) - guard + GS_STACK_GUARD;
    return given < GS_SEG_USABLE(g) ? given : GS_SEG_USABLE(g);
}

static uintptr_t watermark_guard(const struct gs_stack *s)
{
    const struct gs_seg *g = s->bottom;
    if (s->size >= GS_SEG_USABLE(g))
        return GS_SEG_GUARD(g);
    return (uintptr_t)GS_SEG_HI(g) - s->size + GS_STACK_GUARD;
}

/* Set the watermark at `guard` (not below the real guard); account for it. */
static uintptr_t set_mark(struct gs_stack *s, uintptr_t guard)
{
    const struct gs_seg *g = s->bottom;
    if (guard < GS_SEG_GUARD(g))
        guard = GS_SEG_GUARD(g);
    size_t given = given_for(g, guard);
    gs_thread_note_stack((long)given - (long)s->size);
    s->size = given;
    if (given > s->peak)
        s->peak = given;
    return watermark_guard(s);
}

static uintptr_t watermark_init(struct gs_stack *s)
{
    s->size = s->peak = 0;
    return set_mark(s, (uintptr_t)GS_SEG_HI(s->bottom) - GS_MARK_STEP);
}

/* Move the watermark below address `below` and install the new guard; 0 if
 * `below` is past the stack's real guard (an overflow: the mark goes to the real
 * guard, all of the stack counts as given). */
static int watermark_lower(struct gs_stack *s, uintptr_t below)
{
    const struct gs_seg *g = s->bottom;
    if (below <= GS_SEG_GUARD(g)) {
        /* An overflow: the coroutine was given all of the stack (stack_bytes and
         * its peak say so in the statistics printed at the abort). */
        set_mark(s, GS_SEG_GUARD(g));
        return 0;
    }
    size_t depth = (uintptr_t)GS_SEG_HI(g) - below;
    size_t step = depth / 8 > GS_MARK_STEP ? depth / 8 : GS_MARK_STEP;
    step = (step + GS_MARK_STEP - 1) & ~(GS_MARK_STEP - 1);
    uintptr_t mark = below > step ? (below - step) & ~(uintptr_t)(GS_MARK_STEP - 1) : 0;
    uintptr_t old = watermark_guard(s);
    if (mark >= old)
        mark = old - GS_MARK_STEP;
    gs_arch_set_guard(set_mark(s, mark));
    return 1;
}

/* gs_stack_grow for a fixed stack: lower the watermark below what the prologue
 * compared, then the body runs in place, as if the check had passed; or report
 * the overflow. */
static void watermark_grow(struct gs_stack *s, struct gs_morestack_regs *r)
{
    if (!watermark_lower(s, gs_arch_msr_probe(r)))
        gs_stack_overflow(s, r->sp, gs_arch_msr_frame(r) + gs_arch_msr_args(r),
                          "the fixed stack is full");
    gs_arch_msr_resume(r, gs_arch_msr_body(r), gs_arch_msr_ret_slot(r), watermark_guard(s));
}

/* Uncount the stack (before its segment is freed). */
static void watermark_release(struct gs_stack *s)
{
    gs_thread_note_stack(-(long)s->size);
}

/* ---- dynamic allocas (protocol.md 5.5) ------------------------------------------ */

/* The depth of the frame whose frame pointer is caller_fp, with s->top synced
 * to the caller's stack pointer sp. */
static size_t frame_depth(struct gs_stack *s, uintptr_t caller_fp, uintptr_t sp)
{
    /* A fixed stack has one segment: s->top is right without a sync. */
    if (s->kind != GS_STACK_FIXED)
        gs_stack_sync_top(s, sp);
    return s->top ? GS_SEG_DEPTH(s->top, caller_fp) : 0;
}

void *gs_stack_dyn_alloc(struct gs_stack *s, size_t size, uintptr_t caller_fp, uintptr_t sp)
{
    size_t depth = frame_depth(s, caller_fp, sp);
    /* A fixed stack's guard is its watermark: below it there may still be room.
     * The function took the slow path already, so this block comes from the
     * heap anyway; the next one will fit below the new mark. */
    if (s->kind == GS_STACK_FIXED && !watermark_lower(s, sp - size))
        gs_stack_overflow(s, sp, size, "a variable-length array or alloca does not fit");
    if (size > gs_cfg.max)
        gs_stack_overflow(s, sp, size,
                          "a variable-length array or alloca is larger than the limit");
    return gs_dyn_push(&s->dyn, depth, size);
}

void *gs_stack_dyn_mark(struct gs_stack *s, uintptr_t caller_fp, uintptr_t sp)
{
    frame_depth(s, caller_fp, sp);
    return s->dyn;
}

void gs_stack_dyn_release(struct gs_stack *s, void *mark, uintptr_t caller_fp, uintptr_t sp)
{
    gs_dyn_pop_to(&s->dyn, mark, frame_depth(s, caller_fp, sp));
}

void gs_stack_dyn_landed(struct gs_stack *s, uintptr_t sp)
{
    /* A skipped frame's frame pointer lies at least 16 bytes below the landing
     * frame's %rsp (its return address and saved %rbp); the landing frame's own
     * blocks are tagged at or above its %rsp. */
    if (s->dyn && s->top)
        gs_dyn_pop_from(&s->dyn, GS_SEG_DEPTH(s->top, sp) + 1);
}

void gs_stack_dyn_frame_exit(struct gs_stack *s, uintptr_t caller_fp, uintptr_t sp)
{
    gs_dyn_pop_from(&s->dyn, frame_depth(s, caller_fp, sp));
}
