/* segment.h - stack memory: blocks in power-of-two size classes, fixed
 * mappings with a guard page, per-thread caches (layer 2, docs/architecture.md).
 *
 * A coroutine stack is a chain of segments (stack.h); a segment is one block of
 * memory with its descriptor at the high end:
 *
 *     base        lo                                   hi == (char *)seg
 *      |  guard?   |  <----- stack grows down ------    | struct gs_seg |
 *
 * Invariants:
 *  - hi is 16-byte aligned; lo + GS_STACK_GUARD < hi.
 *  - For a fixed stack, [base, lo) holds one PROT_NONE page.
 *  - A block belongs to the thread that allocated it; freed blocks go to that
 *    thread's caches (by size class, and fixed mappings) and are reused before
 *    new memory is mapped. Blocks of class < GS_POOL_CLASSES are carved from
 *    chunks that are never unmapped; larger ones are mapped individually. Of
 *    those over 64 MiB the cache keeps one per thread, its pages released
 *    lazily (MADV_FREE, segment.c).
 *  - A block of GS_HUGE_MIN bytes or more is mapped at a GS_HUGE_MIN-aligned
 *    address and, unless GROWSTACK_HUGEPAGES=0, advised MADV_HUGEPAGE: the
 *    kernel may back it with transparent huge pages (protocol.md 5.3). Smaller
 *    blocks never are, so a shallow coroutine's memory is unchanged.
 *  - In contiguous mode a freshly mapped block of GS_HUGE_MIN bytes or more
 *    has address space reserved (PROT_NONE) right below it, `room`, into which
 *    it grows in place (gs_seg_extend) before any move: the block and its room
 *    are one region, unmapped together. A block's class is its size; its base
 *    is GS_HUGE_MIN-aligned, not aligned to its size.
 *  - Every block handed out is registered with Valgrind as a stack (a no-op
 *    outside Valgrind) and marked undefined, and with LeakSanitizer as a root
 *    region [lo, base + size) (a no-op without LSan's run-time library); it is
 *    deregistered from both when it is freed or its pages move
 *    (gs_seg_move_pages).
 *  - This layer keeps its own accounting in the thread's counters (thread.h):
 *    mapped_bytes (address space mapped for stacks, cached blocks included)
 *    and stack_bytes (blocks of growable stacks handed out, and their peak).
 *    It knows nothing of coroutines or of what a stack holds.
 */
#ifndef GS_SEGMENT_H
#define GS_SEGMENT_H

#include <stddef.h>
#include <stdint.h>
#include "gs_arch.h"

enum gs_seg_kind {
    GS_SEG_POOL = 1,    /* carved from a chunk; size = 2 KiB << class           */
    GS_SEG_MMAP = 2,    /* its own mapping; size = 2 KiB << class                */
    GS_SEG_FIXED = 3,   /* its own mapping with a guard page; fixed mode          */
};

struct gs_seg {
    char *lo;               /* lowest usable byte                                  */
    char *base;             /* start of the block                                  */
    size_t size;            /* bytes of the block, descriptor included             */
    struct gs_seg *prev;    /* older segment of the same stack (toward the base)   */
    struct gs_seg *next;    /* newer segment kept for reuse, or NULL               */
    size_t base_off;        /* stack bytes of all older segments (see depth below)  */
    uint32_t kind;          /* enum gs_seg_kind                                    */
    uint32_t cls;           /* size class (POOL, MMAP)                              */
    uint32_t valgrind_id;   /* the block's Valgrind stack id (0 outside Valgrind)  */
    uint8_t fresh;          /* mapped for this request, not from a cache: none of
                               its pages is resident yet                          */
    uint8_t resident;       /* every page was faulted in (gs_seg_alloc_growth)
                               and none dropped since: a cached individual mapping
                               is unmapped by a trim, never emptied in place; the
                               one block over 64 MiB the cache keeps is released
                               lazily (MADV_FREE) and not resident               */
    uint16_t room;          /* GS_HUGE_MIN units of address space reserved
                               (PROT_NONE) right below base, into which the block
                               can grow in place (gs_seg_extend); MMAP only       */
};
_Static_assert(sizeof(struct gs_seg) % 16 == 0, "segment descriptor keeps hi aligned");
_Static_assert(__builtin_offsetof(struct gs_seg, lo) == GS_SEG_LO, "GS_SEG_LO");
_Static_assert(__builtin_offsetof(struct gs_seg, prev) == GS_SEG_PREV, "GS_SEG_PREV");
_Static_assert(__builtin_offsetof(struct gs_seg, next) == GS_SEG_NEXT, "GS_SEG_NEXT");
_Static_assert(__builtin_offsetof(struct gs_seg, base_off) == GS_SEG_BASE_OFF, "GS_SEG_BASE_OFF");

#define GS_SEG_HI(s) ((char *)(s))
/* The depth of address a in segment s, counted from the coroutine's base: grows
 * with call depth across segments (whose addresses are in no particular order)
 * and does not change when a segment is moved. */
#define GS_SEG_DEPTH(s, a) ((s)->base_off + (size_t)((uintptr_t)GS_SEG_HI(s) - (uintptr_t)(a)))
#define GS_SEG_USABLE(s) ((size_t)(GS_SEG_HI(s) - (s)->lo))
#define GS_SEG_GUARD(s) ((uintptr_t)(s)->lo + GS_STACK_GUARD)

/* Blocks are pooled by power-of-two size class: 2 KiB << class. */
#define GS_NCLASS 20
/* Classes below this are carved from GS_CHUNK_SIZE chunks. */
#define GS_POOL_CLASSES 6        /* 2 KiB .. 64 KiB */
#define GS_CHUNK_SIZE ((size_t)1 << 20)
#define GS_CLASS_SIZE(c) ((size_t)2048 << (c))
/* Blocks from this size on may be backed by huge pages (x86-64's 2 MiB page). */
#define GS_HUGE_MIN ((size_t)2 << 20)
/* With huge pages on, a contiguous stack that outgrows a block of this size or
 * more (and under GS_HUGE_MIN) moves straight to a GS_HUGE_MIN block, copied,
 * so that its top is one huge page (docs/protocol.md 5.3). */
#define GS_HUGE_JUMP_FROM ((size_t)256 << 10)

/* A block of at least `usable` usable bytes (class rounded up). NULL on ENOMEM. */
__attribute__((visibility("hidden"))) struct gs_seg *gs_seg_alloc(size_t usable);

/* The block for a contiguous move. When usable's class (GS_HUGE_MIN or more)
 * has no cached block, the smallest cached block of a larger class whose usable
 * size is at most `limit` serves (0: none): a stack that grew in place left its
 * block in the class it reached, and the next one growing as deep finds it
 * there. With `populate`, an individually mapped block (128 KiB and up) taken
 * from its class's cache has its pages faulted in at once if they are not
 * resident yet
 * (the stack that used it last may have touched only its upper part): the
 * move's copy writes its upper part at once and the stack is growing into the
 * rest. Once done the block is marked resident and later reuses skip it (the
 * madvise walks every page table entry even when all are present). A freshly
 * mapped block is left alone: the pages of the block it replaces move into it
 * (gs_seg_move_pages). */
__attribute__((visibility("hidden"))) struct gs_seg *gs_seg_alloc_growth(size_t usable,
                                                                        size_t limit,
                                                                        int populate);

/* Grow block s in place to the class of `usable` bytes, into the address space
 * reserved below it (its `room`): its base and lo move down, its top and the
 * stack on it stay where they are, so nothing moves and nothing is relocated.
 * Fresh individually mapped blocks of GS_HUGE_MIN and more get that room in
 * contiguous mode (segment.c, GS_ROOM_FACTOR). 1 when done; 0 (s unchanged)
 * when s has no room, too little, or the kernel refused. */
__attribute__((visibility("hidden"))) int gs_seg_extend(struct gs_seg *s, size_t usable);

/* Usable bytes of the block gs_seg_alloc(usable) would return, and of the
 * largest block whose usable size is at most `limit` (0 if none). */
__attribute__((visibility("hidden"))) size_t gs_seg_usable_for(size_t usable);
__attribute__((visibility("hidden"))) size_t gs_seg_usable_fit(size_t limit);

/* A fixed-mode stack of `max` usable bytes with a guard page. NULL on failure
 * (errno set; ENOMEM with a hint about vm.max_map_count). */
__attribute__((visibility("hidden"))) struct gs_seg *gs_seg_alloc_fixed(size_t max);

/* Moving a stack's live part [sp, hi) from block `old` to the same distance
 * from the top of block `n` without copying: the pages themselves move
 * (mremap), so neither the copy nor new pages for what the copy would fill are
 * paid (on this project's VMs a page the guest touches for the first time
 * costs 1.5 to 70 us; a moved one nothing), and `old` is released
 * (gs_seg_free must not be called for it; its descriptor is gone). For
 * individually mapped blocks, when `n` is larger and freshly mapped or the
 * one block over 64 MiB the cache keeps (a cached `n` under that has resident
 * pages: copying into it costs less than replacing them, and keeps `old` for
 * the cache; a same-size or smaller move copies, and `old` returns to the
 * cache), or when `old` is over 64 MiB: see gs_seg_can_remap. The rest of
 * `n` below the moved pages is left to be faulted in as the stack grows into
 * it, as a thread's stack is. Returns 0
 * (nothing done) when it cannot. */
__attribute__((visibility("hidden"))) int gs_seg_can_remap(const struct gs_seg *old,
                                                           const struct gs_seg *n);
__attribute__((visibility("hidden"))) int gs_seg_move_pages(struct gs_seg *old, struct gs_seg *n,
                                                            uintptr_t sp);

/* Return a block to the calling thread's caches. */
__attribute__((visibility("hidden"))) void gs_seg_free(struct gs_seg *s);

/* Give the calling thread's cached blocks back to the kernel: individual
 * mappings are unmapped, the pages of chunk-carved blocks dropped (a chunk is
 * shared between blocks and is never unmapped). Behind gs_stack_cache_trim(). */
__attribute__((visibility("hidden"))) void gs_seg_cache_trim(void);

/* Thread exit: trim, then forget the caches (chunk-carved blocks stay mapped:
 * their chunks may hold blocks of live stacks). */
__attribute__((visibility("hidden"))) void gs_seg_thread_exit(void);

/* A cached block reused as a stack: its usable part is undefined memory to
 * memcheck again (blocks from gs_seg_alloc* are already). */
__attribute__((visibility("hidden"))) void gs_seg_valgrind_fresh(struct gs_seg *s);
/* Whether the program runs under a Valgrind tool that tracks memory
 * (memcheck & co., gs_libc_leaves_valgrind_tool; always 0 in a build without
 * GROWSTACK_VALGRIND): cached blocks then need gs_seg_valgrind_fresh, which
 * __morestack's fast split skips (stack.c turns it off). Under callgrind,
 * cachegrind or none the client requests do nothing and runs are native. */
__attribute__((visibility("hidden"))) int gs_seg_under_valgrind(void);
/* Around the conservative scan of a moved stack (stack.c), which reads every
 * word, initialised or not, on purpose: memcheck reports no error in between
 * (this thread only; definedness is still tracked). begin = 1, then 0. */
__attribute__((visibility("hidden"))) void gs_seg_valgrind_scan(int begin);
/* Around a relocation of [p, p + n) (a moved stack, a register block, a setjmp
 * buffer): under memcheck, save which bits are undefined and mark them defined;
 * afterwards put the saved state back. A relocation reads a word and writes
 * back word + (in range ? delta : 0): memcheck would take a word with one
 * undefined byte (a struct's padding, spilled or saved with its defined bytes)
 * for wholly undefined after it, and report the program's next use of its
 * defined bytes. Returns NULL (nothing to restore) outside memcheck. */
__attribute__((visibility("hidden"))) void *gs_seg_valgrind_vbits_save(void *p, size_t n);
__attribute__((visibility("hidden"))) void gs_seg_valgrind_vbits_restore(void *saved, void *p,
                                                                          size_t n);

#endif
