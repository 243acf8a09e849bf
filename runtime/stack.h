/* stack.h - a coroutine's stack: its segments, growth in the three modes,
 * moves and relocation, shrinking, pins, the fixed-mode watermark, dynamic
 * alloca blocks and the side stack it owns (layer 3, docs/architecture.md).
 * The protocol is docs/protocol.md section 5; stack.c implements it.
 *
 * A struct gs_stack is embedded in the coroutine that owns it (coro.h); this
 * layer never sees the coroutine. Functions that take the running stack are
 * called on the system stack with it running (its segments hold %rsp); the
 * others with it suspended, or finished.
 *
 * Invariants:
 *  - bottom, bottom->next, ... lists every segment the stack owns; top is one
 *    of them and holds %rsp while the stack runs (it may lag behind after
 *    segmented returns: gs_stack_sync_top brings it up to date).
 *  - While the stack runs instrumented code, %fs:0x70 == GS_SEG_GUARD(top), or
 *    for a fixed stack its watermark, gs_stack_guard(s) >= GS_SEG_GUARD(top),
 *    or for a probed run usage.probe > GS_SEG_GUARD(top) (see below);
 *    `guard` holds that value while it does not run.
 *  - Pointers the runtime keeps into a stack, each with its fix-up when the
 *    stack moves: the owner's saved context (only while suspended or parked: a shrink
 *    moves the saved %rsp by delta, gs_stack_maybe_shrink), the saved registers
 *    of setjmp buffers listed by the owner's jb nodes and the buffer pointers of
 *    those nodes (protocol.md 7.3). gs_tls.sys_sp points into the system stack,
 *    never here. Saved contexts to return to live in the heap (the coroutine)
 *    or on the system stack; side frames (side.h) never point into the stack,
 *    except jmp_bufs.
 *  - size (usable bytes of the live segments; for a fixed stack, what its
 *    watermark gave) <= GROWSTACK_MAX; peak is the largest size reached.
 *  - pin, when its segment is top, names a frame a walk found pinned; a move
 *    clears it.
 *  - usage.probe != 0 only in contiguous mode on a single-segment stack: then
 *    the guard installed for the run (s->guard at its start) is usage.probe,
 *    above the real guard GS_SEG_GUARD(top), at the depth of half the stack. A
 *    prologue check that fails above the real guard only records the hit,
 *    installs the real guard and resumes in place (gs_stack_grow); any path
 *    that installs another guard (growth, a resync's C half) makes the run
 *    count as deep.
 *  - dyn and side_owner.first are read by assembly through the owner's
 *    offsets (GS_CORO_DYN, GS_CORO_SIDE_FIRST: coro.h asserts them).
 *  - gs_stack_fast_split is 0 under GROWSTACK_TRACE, under a Valgrind tool
 *    that tracks memory (memcheck & co.: gs_seg_under_valgrind) and with
 *    GROWSTACK_FORCE_MOVE; else GS_FAST_SPLIT_SEGMENTED in segmented mode and
 *    GS_FAST_SPLIT_PINNED in contiguous mode. Then __morestack repeats a
 *    split itself, without its C half, when the state is the one a segmented
 *    return leaves (top lags one segment ahead: %rsp in top->prev, probe and
 *    shrunk 0 (tested in contiguous mode only: segmented mode never sets
 *    them), stack arguments in whole words) and top holds the frame and
 *    them; in contiguous mode only when pin names a frame in top->prev that
 *    is still live where it was (pin_still_holds) and the thread's pin tally
 *    counts its site. It counts the split (and the pin), copies the stack
 *    arguments, installs GS_SEG_GUARD(top) and calls the body at top's hi.
 *    That is exactly what grow_segmented (after grow_contiguous's cached
 *    pin) does there: top, size, peak and base_off
 *    already have the values it would give them, so no other code sees the
 *    difference (protocol.md 5.2). In segmented mode it also repeats one
 *    from the state the C half leaves (%rsp in top, top->next cached with
 *    room): as grow_segmented does with a cached segment, it sets
 *    next->base_off, top = next and adds next's usable bytes to size and
 *    peak. Assembly reads top, usage.probe, usage.shrunk and pin, and writes
 *    usage.grew (GS_CORO_STACK_TOP, GS_CORO_USAGE_*, GS_CORO_PIN_*), and in
 *    segmented mode top, size, peak and a segment's base_off
 *    (GS_CORO_STACK_SIZE, GS_CORO_STACK_PEAK, GS_SEG_NEXT, GS_SEG_BASE_OFF).
 */
#ifndef GS_STACK_H
#define GS_STACK_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "gs_arch.h"
#include "segment.h"
#include "side.h"

enum gs_stack_kind {
    GS_STACK_FIXED = 1,   /* one fixed mapping (fixed mode, or unchecked entry)  */
    GS_STACK_GROWABLE,    /* segments; growth by the configured mode             */
};

struct gs_dyn;
struct gs_pin_site;

struct gs_stack {
    struct gs_dyn *dyn;          /* dynamic alloca blocks, newest first (dyn.h)   */
    struct gs_side_owner side_owner; /* side stack chunks (side.h)                */
    struct gs_side side;         /* __gs_side while the stack does not run        */
    uintptr_t guard;             /* the guard to install when it runs again       */
    struct gs_seg *top;          /* segment holding %rsp                          */
    struct gs_seg *bottom;       /* first segment (the coroutine's base)          */
    size_t size;                 /* usable bytes of all live segments             */
    size_t peak;                 /* largest size reached                          */
    size_t initial;              /* the first segment's block size                */
    enum gs_stack_kind kind;
    struct gs_stack_usage {      /* contiguous mode: the shrink policy's history  */
        unsigned runs;           /* runs started (the owner counts them)          */
        unsigned judged;         /* `runs` when the last run was judged           */
        unsigned shallow;        /* judged runs in a row that stayed in half      */
        unsigned wait;           /* shallow runs a shrink needs (doubles when a
                                    shrink is undone by growth)                   */
        unsigned gap, skip;      /* unprobed runs after a probe hit (backoff)     */
        uintptr_t probe;         /* the probe guard of this run, 0 if none        */
        unsigned grew;           /* the stack grew (or hit the probe) this run    */
        unsigned shrunk;         /* a shrink not yet confirmed or undone          */
    } usage;
    struct gs_pin_verdict {      /* the last frame walk that found a pin          */
        struct gs_seg *seg;      /* the segment walked, NULL if none              */
        uintptr_t slot;          /* where the pinning frame's return address was  */
        uint64_t ret, below;     /* [slot] and [slot - 8] then                    */
        struct gs_pin_site *site;
    } pin;
    size_t judge_size;           /* size from which a resume judges the last run
                                    (gs_stack_shrink_due): 2 * initial - the
                                    segment header, or SIZE_MAX when the stack
                                    never shrinks (not contiguous, shrinking off,
                                    or a fixed stack); set at creation            */
    struct gs_stack_places *left; /* the places the stack moved out of, for
                                    jmp_buf copies the runtime never saw
                                    (gs_stack_jmpbuf_landing); NULL until the
                                    first move                                    */
};

/* The last GS_STACK_PLACES_KEPT distinct ranges [lo, hi) a move took the
 * live part of a segment out of, with that segment's base_off, newest first.
 * A move keeps every live word's depth from the coroutine's base
 * (GS_SEG_DEPTH, segment.h), so an address a of a live frame saved while its
 * segment lay at [lo, hi) is at depth base_off + (hi - a) now too: in the
 * present segment that holds that depth. Distinct ranges, not moves: a stack
 * that moves at every check (GROWSTACK_FORCE_MOVE) goes back and forth
 * between a few blocks. */
#define GS_STACK_PLACES_KEPT 16
struct gs_stack_places {
    unsigned n; /* entries in use */
    struct gs_stack_place {
        uintptr_t lo, hi;
        size_t base_off;
    } e[GS_STACK_PLACES_KEPT];
};

/* Read by __morestack (see the invariants); set by gs_stack_start. */
extern int gs_stack_fast_split __attribute__((visibility("hidden")));

/* Read by gs_stack_resync (arch); set by gs_stack_start: 1 unless
 * GROWSTACK_TRACE (whose resync lines the C half writes). When it is 1, a
 * resync whose caller's %rsp lies in the running coroutine's top segment, with
 * a guard in place and no external call in progress, changes nothing: top is
 * that segment and the installed guard is the one it had there (the segment's,
 * the fixed stack's watermark, or the run's probe, which stays armed). */
extern int gs_stack_fast_resync __attribute__((visibility("hidden")));

/* Read by __morestack_leaf (arch); set by gs_stack_start: 1 unless the mode
 * is segmented. When it is 0, a measured C library function's thunk that
 * lacks room takes the trampoline at once; when it is 1 it asks for growth
 * (gs_stack_grow_leaf), unless the guard in place is gs_leaf_declined, the
 * guard at the last request the runtime declined on this thread (0: none). */
extern int gs_stack_leaf_grow __attribute__((visibility("hidden")));
extern __thread uintptr_t gs_leaf_declined
    __attribute__((visibility("hidden"), tls_model("initial-exec")));

/* The thread's switch count (gs_tls.stats.switches, which every entry into a
 * coroutine raises) when the last segmented split called its body
 * (__morestack sets it there), or GS_SPLIT_MARK_LANDED after a longjmp (the
 * wrappers of runtime/longjmp.c set it). When a split's body returns and the
 * count is no longer this mark, a longjmp or a switch happened since: the
 * frames below the landing, or of the context resumed, return through return
 * addresses the processor's return stack no longer pairs with their calls (a
 * longjmp skips the returns of the frames it leaves; a switch leaves the
 * other context's entries on top), so __morestack_return jumps to F's caller
 * instead of returning through F's retq, one mispredicted return instead of
 * three (protocol.md 5.2). A hint for speed only: either way of returning is
 * correct in every state. The switch itself writes nothing for it. */
#define GS_SPLIT_MARK_LANDED UINT64_MAX
extern __thread uint64_t gs_stack_split_mark
    __attribute__((visibility("hidden"), tls_model("initial-exec")));

/* Once the configuration is final (gs_config_start): allow __morestack's
 * fast split when the mode and the environment permit it. */
__attribute__((visibility("hidden"))) void gs_stack_start(void);

/* Give s its first segment for a coroutine of `initial` bytes (0: the
 * configured size) entered at `entry`: growable, or a fixed mapping in fixed
 * mode and for an entry function without prologue checks. Sets s->guard. 0 or
 * an errno. The caller lays out the first context below GS_SEG_HI(s->bottom). */
__attribute__((visibility("hidden"))) int gs_stack_create(struct gs_stack *s, size_t initial,
                                                          const void *entry);

/* Release every segment, dynamic block and side chunk of a finished stack;
 * max_stack_bytes learns its peak. */
__attribute__((visibility("hidden"))) void gs_stack_release(struct gs_stack *s);

/* __morestack's slow path for the running stack s, on the system stack: grow in
 * the configured mode and fill regs->action, guard, pc and sp. */
__attribute__((visibility("hidden"))) void gs_stack_grow(struct gs_stack *s,
                                                        struct gs_morestack_regs *regs);

/* __morestack's slow path for a measured C library function's thunk
 * (protocol.md 4.1a, __morestack_leaf): F is the thunk, FRAME the function's
 * BYTES. Lower a fixed stack's watermark or move a contiguous stack so that
 * BYTES lie above the guard, or decline (the guard stays, gs_leaf_declined
 * notes it); either way the thunk resumes in place (GS_GROW_RESUME) and tests
 * the room again. Never chains a segment, never reports an overflow. */
__attribute__((visibility("hidden"))) void gs_stack_grow_leaf(struct gs_stack *s,
                                                             struct gs_morestack_regs *regs);

/* Make s->top the segment holding sp (after segmented returns or a longjmp),
 * keeping s->size. 0 if sp is on none of s's segments. */
__attribute__((visibility("hidden"))) int gs_stack_sync_top(struct gs_stack *s, uintptr_t sp);

/* The segment of s that holds sp, or NULL. */
__attribute__((visibility("hidden"))) struct gs_seg *gs_stack_seg_of(const struct gs_stack *s,
                                                                     uintptr_t sp);

/* A longjmp through the saved registers `jb` (GS_JB_WORDS words, glibc's
 * layout and mangling: gs_arch.h) of a coroutine whose stack is s. When the
 * saved %rsp lies on none of s's segments but in a place s->left records, at
 * a depth one of s's segments holds now, the buffer is a copy the runtime
 * never saw (memcpy'd from a registered buffer before a move, protocol.md
 * 7.3): its %rsp, %rbp and the callee-saved registers that lie in recorded
 * places are rewritten in place to the same depths and 1 is returned. 0 with
 * the buffer untouched otherwise (current already, or not a stack of s: the
 * landing's resync judges it). */
__attribute__((visibility("hidden"))) int gs_stack_jmpbuf_moved_landing(const struct gs_stack *s,
                                                                        uint64_t *jb);
/* Inline: every longjmp of a coroutine asks (Lua's coroutines longjmp at each
 * yield). A stack that never moved (s->left NULL) has no copy to carry, and a
 * buffer whose %rsp is on the top segment is current; the rest is
 * gs_stack_jmpbuf_moved_landing's. */
static inline int gs_stack_jmpbuf_landing(const struct gs_stack *s, uint64_t *jb)
{
    if (!s->left)
        return 0;
    uintptr_t sp = gs_arch_ptr_demangle(jb[GS_JB_RSP]);
    if (s->top && sp >= (uintptr_t)s->top->lo && sp < (uintptr_t)GS_SEG_HI(s->top))
        return 0;
    return gs_stack_jmpbuf_moved_landing(s, jb);
}

/* The guard Invariant G asks for s's top segment: its watermark on a fixed
 * stack; the top of the segment under GROWSTACK_FORCE_MOVE (every check grows). */
__attribute__((visibility("hidden"))) uintptr_t gs_stack_guard(const struct gs_stack *s);

/* Contiguous mode, for a suspended stack (GROWSTACK_SHRINK, protocol.md
 * 5.4a): judge the run that just ended (did it stay within half the stack?),
 * halve the stack if its last `usage.wait` judged runs did and it uses under a
 * quarter of it at the suspension (trimming its side stack too), and arm the
 * probe guard for the next run. Called any number of times between two runs
 * (each run is judged once). *saved_sp is the owner's saved context
 * (gs_ctx_switch's), moved with the stack. Safe to call from any stack. */
__attribute__((visibility("hidden"))) void gs_stack_usage_check(struct gs_stack *s,
                                                               void **saved_sp);
/* On every resume of a suspended coroutine (on the switch path; gs_stack_shrink_due
 * is its test, whether gs_stack_usage_check has work): the common
 * case (not contiguous, shrinking off, a stack under twice its initial size
 * that no shrink made so, no probe armed) costs a few compares inline, on
 * fields of s (s->size, not the segment's descriptor: one cache line less;
 * it is at least the top segment's size, so a lagging value only takes the
 * slow path). Such a stack's runs are left unjudged: it cannot shrink, and a
 * growth makes the next judgement say "deep" anyway. */
static inline __attribute__((always_inline)) int gs_stack_shrink_due(const struct gs_stack *s)
{
    /* usage.probe and .shrunk are only ever set by gs_stack_usage_check, so
     * only on a stack that shrinks (contiguous, shrinking on, growable): the
     * configuration is final before the first stack exists. judge_size folds
     * those three tests and s->size + sizeof(struct gs_seg) >= 2 * s->initial
     * into one compare. */
    return (s->usage.probe | s->usage.shrunk) || s->size >= s->judge_size;
}
static inline __attribute__((always_inline)) void gs_stack_maybe_shrink(struct gs_stack *s,
                                                                       void **saved_sp)
{
    if (gs_stack_shrink_due(s))
        gs_stack_usage_check(s, saved_sp);
}

/* GROWSTACK_FORCE_MOVE in contiguous mode: move a stack whose owner just parked
 * in a blocking call (its saved context made by the parking frame, resume
 * address gs_park_ret) to a new block of the same size; *saved_sp moves with
 * it. A stack the walk cannot prove movable stays. Safe to call from any stack. */
__attribute__((visibility("hidden"))) void gs_stack_move_parked(struct gs_stack *s,
                                                                void **saved_sp);

/* Dynamic allocas of the running stack s (protocol.md 5.5), for the frame
 * whose %rbp is caller_fp and whose %rsp is sp once the entry point returned:
 * allocate a heap block of `size` bytes (after the blocks of deeper, returned
 * frames are freed; on a fixed stack the watermark moves below sp - size, or
 * the overflow is reported), the list's head as a mark, release back to a
 * mark, release the frame's blocks at its exit. */
__attribute__((visibility("hidden"))) void *gs_stack_dyn_alloc(struct gs_stack *s, size_t size,
                                                              uintptr_t caller_fp, uintptr_t sp);
__attribute__((visibility("hidden"))) void *gs_stack_dyn_mark(struct gs_stack *s,
                                                             uintptr_t caller_fp, uintptr_t sp);
__attribute__((visibility("hidden"))) void gs_stack_dyn_release(struct gs_stack *s, void *mark,
                                                               uintptr_t caller_fp, uintptr_t sp);
/* A longjmp landed at sp (a resync, s->top synced to sp): free the blocks of
 * the frames it skipped, every frame deeper than sp's (protocol.md 5.5). */
__attribute__((visibility("hidden"))) void gs_stack_dyn_landed(struct gs_stack *s, uintptr_t sp);
__attribute__((visibility("hidden"))) void gs_stack_dyn_frame_exit(struct gs_stack *s,
                                                                  uintptr_t caller_fp,
                                                                  uintptr_t sp);

/* Report a stack overflow of the running stack s and abort: what was in use
 * (from its base down to sp), what the next frame needed, the limit that
 * applied; then the statistics if GROWSTACK_STATS=1 (fatal.h's report hook). */
__attribute__((noreturn, visibility("hidden")))
void gs_stack_overflow(const struct gs_stack *s, uintptr_t sp, size_t need, const char *why);

#endif
