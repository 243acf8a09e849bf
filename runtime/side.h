/* side.h - the side stack: locals whose address may escape (docs/protocol.md 7).
 *
 * Instrumented code keeps every local whose address may leave its frame in a
 * *side frame* on a per-owner side stack that never moves, so the moving stack
 * holds nothing that outside memory points to. An owner is a coroutine, the
 * thread itself for instrumented code that runs outside coroutines, or a stack
 * the program gave makecontext (struct gs_side_stack below, ucx.c). The state
 * of the running owner is the TLS slot __gs_side, read and written inline by
 * instrumented code (protocol 7.2); the slow path is __gs_side_alloc.
 *
 * Invariants:
 *  - __gs_side belongs to the running owner (the running coroutine's stack, or
 *    the thread), except while a signal handler runs: then it points into the
 *    thread's signal area (lim == the area's lo), saved and restored by the
 *    signal dispatcher. The switch (enter/leave in coro.c) saves the running
 *    owner's state into its struct gs_side (a stack's, or gs_side_tls.saved for
 *    the thread) and installs the other's; a new owner starts with
 *    GS_SIDE_INIT = {NULL, UINTPTR_MAX, NULL}, which makes its first check fail.
 *  - This file knows owners, never coroutines: whoever calls it says which
 *    owner runs (entry.c for the slow path), and messages name the running code
 *    through gs_thread_name_cur (thread.h).
 *  - An owner's chunks form a list first -> next -> ...; side frames grow down
 *    inside a chunk from its hi to its lo (== lim when it is current), and the
 *    frames of chunk c are older than those of c->next. lim == UINTPTR_MAX means
 *    no chunk is current: every chunk is a cached successor. That is the
 *    state of an owner that never had a side frame. A struct gs_side_stack's
 *    chain starts at a root header with no usable bytes instead, so its
 *    state is never UINTPTR_MAX and __gs_side_alloc never falls back to the
 *    running coroutine's or thread's first chunk for it.
 *  - __gs_side_alloc puts a frame at the top of the successor n of the current
 *    chunk (the owner's first chunk when none is current) and returns (in
 *    %rdx) the sp the frame's exits restore, with the lim it installed (n's
 *    lo) when that sp is not the old one (protocol.md 7.2):
 *     - a small frame (size < GS_SIDE_SMALL): n's hi. After the frame returns
 *       n is current and empty ({n->hi, lo(n)}), so the frame's next call, in
 *       a loop of its caller, passes its inline check instead of crossing into
 *       n again: a chunk boundary is crossed once, not at every call. The
 *       room left in older chunks stays unused until their own frames return.
 *       Its base is then n->hi - size (the frame's size and n->hi are
 *       multiples of 16, its alignment 16), so an exit may restore
 *       {base + size, lim after the call} instead of keeping both;
 *     - a large frame: the caller's sp; its exits restore the old state and n
 *       becomes a cached successor, which a shrink can free (a big frame does
 *       not leave its chunk current under the frames that follow).
 *    Code built before these rules restores the old state, or {NULL,
 *    UINTPTR_MAX}; both stay valid.
 *    Chunks beyond the current one are cached, reused by the next slow path
 *    that fits, freed by one that does not fit, by a contiguous shrink and
 *    with the owner.
 *  - sp is always a multiple of 16 (NULL, a chunk's hi, the base of a frame
 *    aligned to 16 or more); every lim is UINTPTR_MAX or at least
 *    GS_SIDE_LIM_MIN (a chunk's lo; the C half checks each new chunk and the
 *    signal area). So for a small frame of 16-byte alignment sp - SIZE needs
 *    no rounding and cannot wrap while a chunk is current (sp >= lim >=
 *    GS_SIDE_LIM_MIN > SIZE), and in the state {NULL, UINTPTR_MAX} it is below
 *    UINTPTR_MAX: the single inline check `sp - SIZE < lim` takes the slow
 *    path in every state that needs it (protocol.md 7.2). Larger frames and
 *    larger alignments keep the rounding and the wrap-around compare.
 *  - Bound: a chunk is allocated only for a frame that does not fit the
 *    current one, at max(2 x the current chunk, the frame's need), so chunks
 *    at least double along the list and each is smaller than twice the
 *    owner's live side frames (padding included) plus GS_SIDE_CHUNK_HDR + 16
 *    + the frame's alignment, or GS_SIDE_FIRST for the first. With P the
 *    owner's peak of live side-frame bytes and A its largest frame alignment,
 *    its chunks total less than max(2 x GS_SIDE_FIRST, 4 x (P +
 *    GS_SIDE_CHUNK_HDR + 16 + A)), and never more than GROWSTACK_MAX. They
 *    are kept (cached) until the owner ends or a contiguous shrink trims
 *    them: an owner that once had a 64 KiB side frame (alignment 16) keeps
 *    less than 4 x (64 KiB + the other side bytes live with it + 80). An
 *    owner that never had a side frame has no chunk.
 *  - A chunk's header sits right below its usable bytes: chunk(lim) = lim -
 *    GS_SIDE_CHUNK_HDR. The signal area has the same header (kind SIGNAL,
 *    next NULL), so __gs_side_alloc finds no successor there and the C half
 *    reports the exhaustion.
 *  - owner->bytes (malloc'd bytes of all its chunks) <= GROWSTACK_MAX; the
 *    limit applies to the side stack separately from the stack.
 *  - jb: the newest live struct gs_jb_node of the owner (7.3), in a side frame.
 *    A move of the owner's stack relocates the buffers it lists.
 */
#ifndef GS_SIDE_H
#define GS_SIDE_H

#include <stddef.h>
#include <stdint.h>
#include "gs_arch.h"

struct gs_jb_node {
    struct gs_jb_node *prev;     /* __gs_side.jb at the function's entry          */
    uint64_t count;              /* call sites in this function                   */
    void *buf[];                 /* per call site: its last buffer, or NULL       */
};

struct gs_side {
    char *sp;                    /* lowest byte in use; side frames grow down     */
    char *lim;                   /* lowest usable byte of the current chunk       */
    struct gs_jb_node *jb;       /* newest registered setjmp frame, or NULL       */
};
_Static_assert(__builtin_offsetof(struct gs_side, sp) == GS_SIDE_SP, "GS_SIDE_SP");
_Static_assert(__builtin_offsetof(struct gs_side, lim) == GS_SIDE_LIM, "GS_SIDE_LIM");
_Static_assert(__builtin_offsetof(struct gs_side, jb) == GS_SIDE_JB, "GS_SIDE_JB");

#define GS_SIDE_NO_LIM ((char *)UINTPTR_MAX)
#define GS_SIDE_INIT ((struct gs_side){NULL, GS_SIDE_NO_LIM, NULL})

/* protocol.md 7.2; exported for instrumented code of every module. */
extern __thread struct gs_side __gs_side __attribute__((tls_model("initial-exec")));
void *__gs_side_alloc(size_t size, size_t align);

enum gs_side_chunk_kind {
    GS_SIDE_HEAP = 1,            /* malloc'd, owned by a coroutine or a thread    */
    GS_SIDE_SIGNAL = 2,          /* the thread's area for signal handlers          */
    GS_SIDE_ROOT = 3,            /* no usable bytes: the head of a struct
                                    gs_side_stack's chain                         */
};

struct gs_side_chunk {
    struct gs_side_chunk *next;  /* newer chunk (cached successor), or NULL        */
    struct gs_side_chunk *prev;  /* older chunk, or NULL                           */
    char *hi;                    /* end of the usable bytes (16-byte aligned)      */
    size_t size;                 /* bytes obtained from malloc, header included    */
    uint32_t kind;               /* enum gs_side_chunk_kind                        */
    uint32_t pad0;
    uint64_t pad1;
};
_Static_assert(sizeof(struct gs_side_chunk) == GS_SIDE_CHUNK_HDR, "GS_SIDE_CHUNK_HDR");
_Static_assert(__builtin_offsetof(struct gs_side_chunk, next) == GS_SIDE_CHUNK_NEXT, "NEXT");
_Static_assert(__builtin_offsetof(struct gs_side_chunk, hi) == GS_SIDE_CHUNK_HI, "HI");
_Static_assert(GS_SIDE_CHUNK_HDR % 16 == 0, "usable bytes stay 16-byte aligned");

#define GS_SIDE_CHUNK(lim) ((struct gs_side_chunk *)((lim) - GS_SIDE_CHUNK_HDR))
#define GS_SIDE_CHUNK_LO(c) ((char *)(c) + GS_SIDE_CHUNK_HDR)

/* The first chunk of an owner: small, so an owner that needs one side frame
 * pays little; each new chunk is at least twice the current one. */
#define GS_SIDE_FIRST ((size_t)1024)
/* Every lim but UINTPTR_MAX is at least this: no small frame's sp - SIZE
 * wraps around (the invariants above). */
#define GS_SIDE_LIM_MIN ((uintptr_t)4096)
_Static_assert(GS_SIDE_LIM_MIN >= GS_SIDE_SMALL, "a small frame's sp - SIZE cannot wrap");
_Static_assert(GS_SIDE_SMALL % 16 == 0, "GS_SIDE_SMALL (gs_arch.h)");
/* Largest side frame alignment the plugin emits (protocol 7.2). */
#define GS_SIDE_ALIGN_MAX ((size_t)4096)
/* The signal handlers' area beside each thread's sigaltstack. */
#define GS_SIDE_SIGNAL_SIZE ((size_t)16 << 10)

/* What a coroutine (its stack, stack.h) or a thread owns. */
struct gs_side_owner {
    struct gs_side_chunk *first; /* oldest chunk, or NULL                          */
    size_t bytes;                /* malloc'd bytes of all chunks                   */
    size_t peak;                 /* largest `bytes` reached                        */
};

/* Per thread, in initial-exec TLS. */
struct gs_side_thread {
    struct gs_side_owner owner;  /* the thread's own side stack (code outside
                                    coroutines); .first is read by
                                    __gs_side_alloc's fast path                    */
    struct gs_side saved;        /* the thread's __gs_side while a coroutine runs  */
    struct gs_side_chunk *sig_area; /* signal handlers' area, or NULL              */
};
_Static_assert(__builtin_offsetof(struct gs_side_thread, owner.first) == GS_SIDE_THREAD_FIRST,
               "GS_SIDE_THREAD_FIRST");
_Static_assert(__builtin_offsetof(struct gs_side_thread, saved) == GS_SIDE_THREAD_SAVED,
               "GS_SIDE_THREAD_SAVED");
_Static_assert(sizeof(struct gs_side) == 24, "gs_yield copies a struct gs_side as 16 + 8 bytes");

extern __thread struct gs_side_thread gs_side_tls
    __attribute__((tls_model("initial-exec"), visibility("hidden")));

/* The context switch (coro.c): save the running owner's state, install the
 * other's. Three words each way. The thread's own state is kept in
 * gs_side_thread_state() while a coroutine runs. */
static inline __attribute__((always_inline)) void gs_side_switch(struct gs_side *save,
                                                                 const struct gs_side *load)
{
    *save = __gs_side;
    __gs_side = *load;
}

static inline struct gs_side *gs_side_thread_state(void)
{
    return &gs_side_tls.saved;
}

/* The thread's own side stack (the owner outside coroutines). */
static inline struct gs_side_owner *gs_side_thread_owner(void)
{
    return &gs_side_tls.owner;
}

/* __gs_side_alloc's C half, on the system stack, in two steps: check the
 * request (a handler that exhausted the signal area, a size or alignment the
 * protocol does not allow: fatal, before anything that is not
 * async-signal-safe), then allocate the frame on the running owner's side
 * stack: reuse the cached successor chunk or replace it (protocol.md 7.2).
 * Sets __gs_side.sp and .lim; returns the frame's base and the sp its exits
 * restore (the new chunk's hi for a small frame, else the old sp: the
 * invariants above), in %rax:%rdx as __gs_side_alloc returns them. */
struct gs_side_alloc_result {
    char *base;                  /* the frame's base                              */
    char *restore_sp;            /* the sp its exits restore                      */
};
__attribute__((visibility("hidden"))) void gs_side_alloc_check(size_t size, size_t align);
__attribute__((visibility("hidden"))) struct gs_side_alloc_result
gs_side_alloc(struct gs_side_owner *o, size_t size, size_t align);

/* A side stack of its own for code that runs on a stack the runtime did not
 * make and that interleaves with the owner's frames instead of nesting in them
 * (a makecontext stack, ucx.c). Its state never has lim == UINTPTR_MAX, so
 * __gs_side_alloc never takes the running coroutine's or thread's chunks for
 * it: its chain hangs from `root`, a chunk header with no usable bytes (kind
 * GS_SIDE_ROOT, lim == sp == root's lo in the initial state: the first side
 * frame takes the slow path, which allocates GS_SIDE_FIRST bytes as root's
 * successor). The C half charges chunks behind a root to `owner` (it walks
 * the chunk's prev links to the head), so GROWSTACK_MAX applies to each such
 * side stack on its own. */
struct gs_side_stack {
    struct gs_side_chunk root;
    struct gs_side_owner owner;
};

/* Make s an empty side stack; *state becomes its initial state. s must be
 * 16-byte aligned (root's usable bytes, none, start at a multiple of 16). */
__attribute__((visibility("hidden"))) void gs_side_stack_init(struct gs_side_stack *s,
                                                              struct gs_side *state);
/* Free s's chunks (no frame of it may be live). */
__attribute__((visibility("hidden"))) void gs_side_stack_release(struct gs_side_stack *s);

/* Free every chunk of an owner (a finished coroutine, an exiting thread). */
__attribute__((visibility("hidden"))) void gs_side_release(struct gs_side_owner *o);

/* Free the chunks beyond the one `state` uses (all of them if it uses none):
 * a contiguous shrink of a suspended coroutine. */
__attribute__((visibility("hidden"))) void gs_side_trim(struct gs_side_owner *o,
                                                        const struct gs_side *state);

/* Signal handlers (signals.c): switch __gs_side to the thread's signal area
 * (below the interrupted handler's frames when handlers nest) and back. */
__attribute__((visibility("hidden"))) void gs_side_signal_enter(struct gs_side *saved);
__attribute__((visibility("hidden"))) void gs_side_signal_leave(const struct gs_side *saved);

/* Make the GS_SIDE_SIGNAL_SIZE bytes at p the calling thread's signal area if
 * it has none yet (signals.c maps them beside the sigaltstack; side.c maps an
 * area on first use for a thread that has none). Drop: the mapping at p goes
 * away (its owner unmaps it); forget it if it is the thread's area (a handler
 * that still runs maps one of its own). */
__attribute__((visibility("hidden"))) void gs_side_signal_area_init(void *p);
__attribute__((visibility("hidden"))) void gs_side_signal_area_drop(void *p);

/* Thread exit: the thread's own chunks and its signal area. */
__attribute__((visibility("hidden"))) void gs_side_thread_exit(void);

/* pthread_exit left coroutines without a switch (coro.c): the thread's own
 * side state is current again, as the switch back would have made it. */
static inline void gs_side_back_to_thread(void)
{
    __gs_side = gs_side_tls.saved;
}


#endif
