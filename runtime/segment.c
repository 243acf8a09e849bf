/* segment.c - stack blocks: size classes carved from chunks, individual
 * mappings, fixed mappings with guard pages, per-thread caches (see segment.h). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "fatal.h"
#include "gcroots.h"
#include "libc_leaves.h"
#include "segment.h"
#include "thread.h"

#ifdef GROWSTACK_VALGRIND
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>
#endif

/* Cached blocks kept per class before memory is returned to the kernel. */
#define GS_MMAP_CACHE_MAX 8
/* Individually mapped blocks larger than this are not cached as they are: a
 * contiguous stack growing towards a large limit would otherwise keep every
 * block it left behind resident (a 1 GiB stack: 1 GiB more in cached 512,
 * 256, ... MiB blocks). One of them is kept per thread, the last freed, with
 * its pages released lazily (MADV_FREE: the kernel takes them back only when
 * it needs the memory, and until then a new stack reuses them without a page
 * fault); any other is unmapped. Without that, each new coroutine that grew
 * as deep as the last faulted its largest block in again: at 10^5 frames of
 * 1 KiB, 54 huge pages, 0.7-4.9 ms each on this project's hosts. */
#define GS_MMAP_CACHE_BYTES ((size_t)64 << 20)
#define GS_FIXED_CACHE_MAX 32

/* Debug switch: fill freed blocks with this byte when poisoning is on, so a
 * pointer into a freed stack reads garbage instead of stale data. */
#define GS_POISON_BYTE 0xdb

/* The calling thread's caches. */
static __thread struct seg_cache {
    struct gs_seg *pool[GS_NCLASS];   /* free blocks by class                  */
    uint32_t npool[GS_NCLASS];
    char *chunk_cur, *chunk_end;      /* bump region for small blocks          */
    struct gs_seg *fixed_cache;       /* freed fixed mappings                  */
    uint32_t nfixed_cache;
    uint32_t nlarge;                  /* cached blocks over GS_MMAP_CACHE_BYTES:
                                         0 or 1, its pages MADV_FREE'd          */
} cache;

static void stack_register(struct gs_seg *s);
/* What a stack block registers as a root region (LSan, libgc): [lo, top). */
static size_t root_bytes(const struct gs_seg *s)
{
    return (size_t)(s->base + s->size - s->lo);
}
static void stack_deregister(const struct gs_seg *s);
static void stack_deregister_except_gc(const struct gs_seg *s);

static size_t page_size(void)
{
    static size_t ps;
    if (!ps)
        ps = (size_t)sysconf(_SC_PAGESIZE);
    return ps;
}

static struct gs_seg *seg_init(char *base, size_t size, char *lo, uint32_t kind, uint32_t cls)
{
    struct gs_seg *s = (struct gs_seg *)(base + size - sizeof(struct gs_seg));
    memset(s, 0, sizeof *s);
    s->lo = lo;
    s->base = base;
    s->size = size;
    s->kind = kind;
    s->cls = cls;
    return s;
}

static unsigned class_for(size_t usable)
{
    size_t need = usable + sizeof(struct gs_seg);
    unsigned c = 0;
    while (c < GS_NCLASS - 1 && GS_CLASS_SIZE(c) < need)
        c++;
    return c;
}

/* Where to ask for a stack mapping: anywhere (NULL), except under valgrind.
 * Valgrind hands out mappings from small addresses up (0x4000000 and on), the
 * range where a program's integers live, while the kernel puts them near the top
 * of the address space (0x7f...). Contiguous mode's conservative scan takes any
 * word whose value lies in the live part of a moving stack for a pointer into it
 * (protocol.md 5.3): with valgrind's layout, counters of ordinary size did, and
 * forced-move runs under memcheck computed wrong sums. So under valgrind the
 * stacks are asked for top-down from GS_VALGRIND_STACK_TOP, which valgrind
 * honours while the range is free; native runs are unchanged. */
#define GS_VALGRIND_STACK_TOP ((uintptr_t)0x7e0000000000)

static void *map_hint(size_t len)
{
#ifdef GROWSTACK_VALGRIND
    static uintptr_t below = GS_VALGRIND_STACK_TOP;
    if (RUNNING_ON_VALGRIND)
        return (void *)(__atomic_sub_fetch(&below, (len + 0xfffff) & ~(uintptr_t)0xfffff,
                                           __ATOMIC_RELAXED));
#endif
    (void)len;
    return NULL;
}

static void *map_prot(size_t len, int prot)
{
    void *p = mmap(map_hint(len), len, prot,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void *map(size_t len)
{
    return map_prot(len, PROT_READ | PROT_WRITE);
}

/* A mapping of len bytes aligned to `align` (a power of two): map more, trim. */
static void *map_aligned_prot(size_t len, size_t align, int prot)
{
    char *p = map_prot(len + align, prot);
    if (!p)
        return NULL;
    char *a = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
    if (a > p)
        munmap(p, (size_t)(a - p));
    size_t tail = (size_t)((p + len + align) - (a + len));
    if (tail)
        munmap(a + len, tail);
    return a;
}

static void *map_aligned(size_t len, size_t align)
{
    return map_aligned_prot(len, align, PROT_READ | PROT_WRITE);
}

static void advise_huge(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
    if (gs_cfg.hugepages)
        (void)madvise(p, len, MADV_HUGEPAGE); /* EINVAL without THP: small pages */
#else
    (void)p;
    (void)len;
#endif
}

/* Address space reserved below a fresh block of `size` bytes (GS_HUGE_MIN or
 * more) of a contiguous stack, for it to grow into in place (gs_seg_extend):
 * the block and its room together span GS_ROOM_FACTOR times the block, at most
 * the class that holds GROWSTACK_MAX (no stack grows past it). A stack that
 * outgrows that moves to a fresh block, which gets room of its own. Only
 * address space: PROT_NONE, no memory, no commit charge; 128 MiB for a stack
 * of 2 MiB, so 10^5 such stacks take 12.5 TiB of x86-64's 128 TiB of user
 * address space. */
#define GS_ROOM_FACTOR 64

static size_t room_for(size_t size)
{
    if (gs_cfg.mode != GS_MODE_CONTIGUOUS || size < GS_HUGE_MIN)
        return 0;
    size_t span = GS_CLASS_SIZE(class_for(gs_cfg.max));
    if (size <= span / GS_ROOM_FACTOR)
        span = size * GS_ROOM_FACTOR;
    return span > size ? span - size : 0;
}

/* An individually mapped block's whole mapping, its room included. */
static void unmap_block(const struct gs_seg *s)
{
    size_t room = (size_t)s->room * GS_HUGE_MIN;
    munmap(s->base - room, s->size + room);
}

/* An individually mapped block. From GS_HUGE_MIN on it is aligned to
 * GS_HUGE_MIN and advised MADV_HUGEPAGE (GROWSTACK_HUGEPAGES, default on): a
 * deep stack then faults in 2 MiB at a time, as Go's stacks do (its heap is
 * advised the same way), instead of 512 faults of 4 KiB, each of which costs
 * microseconds on a VM, and its TLB reach grows as much. Blocks are size
 * classes, so a block of 2 MiB or more is a multiple of 2 MiB and a move
 * between two of them keeps huge pages aligned. The advice is only a hint: a
 * kernel without transparent huge pages, or with them set to "never", maps
 * small pages as before. */
static void *map_block(size_t size, size_t *room)
{
    *room = 0;
    if (size < GS_HUGE_MIN)
        return map(size);
    size_t r = room_for(size);
    if (r) {
        /* The room and the block as one PROT_NONE mapping, the block's part
         * then made writable; without the address space, no room. */
        char *p = map_aligned_prot(r + size, GS_HUGE_MIN, PROT_NONE);
        if (p && mprotect(p + r, size, PROT_READ | PROT_WRITE) == 0) {
            advise_huge(p + r, size);
            *room = r;
            return p + r;
        }
        if (p)
            munmap(p, r + size);
    }
    void *p = map_aligned(size, GS_HUGE_MIN);
    if (p)
        advise_huge(p, size);
    return p;
}

size_t gs_seg_usable_for(size_t usable)
{
    return GS_CLASS_SIZE(class_for(usable)) - sizeof(struct gs_seg);
}

size_t gs_seg_usable_fit(size_t limit)
{
    size_t best = 0;
    for (unsigned c = 0; c < GS_NCLASS; c++) {
        size_t u = GS_CLASS_SIZE(c) - sizeof(struct gs_seg);
        if (u <= limit)
            best = u;
    }
    return best;
}

struct gs_seg *gs_seg_alloc(size_t usable)
{
    return gs_seg_alloc_growth(usable, 0, 0);
}

static struct gs_seg *alloc_block(size_t usable, size_t limit, int populate);

struct gs_seg *gs_seg_alloc_growth(size_t usable, size_t limit, int populate)
{
    struct gs_seg *s = alloc_block(usable, limit, populate);
    if (s)
        stack_register(s);
    return s;
}

/* The cached block alloc_block hands out for class c: the class's own, else
 * from GS_HUGE_MIN on the smallest cached individual mapping of a larger
 * class whose usable size is at most `limit`. The memory is resident or
 * cached either way, and a stack that grew in place (gs_seg_extend) left its
 * block in the class it reached, none in the classes it grew through. */
static unsigned cached_class(unsigned c, size_t limit)
{
    struct seg_cache *t = &cache;
    if (t->pool[c] || GS_CLASS_SIZE(c) < GS_HUGE_MIN)
        return c;
    for (unsigned k = c + 1; k < GS_NCLASS && GS_CLASS_SIZE(k) - sizeof(struct gs_seg) <= limit;
         k++)
        if (t->pool[k])
            return k;
    return c;
}

static struct gs_seg *alloc_block(size_t usable, size_t limit, int populate)
{
    struct seg_cache *t = &cache;
    unsigned c = class_for(usable);
    size_t size = GS_CLASS_SIZE(c);
    if (size < usable + sizeof(struct gs_seg)) {
        errno = ENOMEM;
        return NULL;
    }
    unsigned k = cached_class(c, limit);
    struct gs_seg *s = t->pool[k];
    if (s) {
        t->pool[k] = s->prev;
        t->npool[k]--;
        if (s->size > GS_MMAP_CACHE_BYTES)
            t->nlarge--;
        uint8_t resident = s->resident;
        uint16_t room = s->room;
        /* Not a larger class's block: the stack need not grow into its rest;
         * nor the kept large block, whose pages move in. */
        if (populate && k == c && s->kind == GS_SEG_MMAP && !resident &&
            s->size <= GS_MMAP_CACHE_BYTES)
            resident = madvise(s->base, s->size, MADV_POPULATE_WRITE) == 0; /* in bulk, once */
        struct gs_seg *fresh = seg_init(s->base, s->size, s->base, s->kind, k);
        fresh->resident = resident;
        fresh->room = room;
        gs_thread_note_stack((long)s->size);
        return fresh;
    }
    char *base;
    uint32_t kind;
    size_t room = 0;
    if (c < GS_POOL_CLASSES) {
        /* Blocks are aligned to their size: every block's hi then has the same
         * low bits (size - descriptor), so a move's delta is a multiple of the
         * smaller block size (see move_top in stack.c). */
        t->chunk_cur = (char *)(((uintptr_t)t->chunk_cur + size - 1) & ~(uintptr_t)(size - 1));
        if (t->chunk_cur > t->chunk_end || (size_t)(t->chunk_end - t->chunk_cur) < size) {
            /* The tail of the old chunk is lost to fragmentation: at most one
             * block of the largest pooled class per chunk. */
            char *chunk = map_aligned(GS_CHUNK_SIZE, GS_CHUNK_SIZE);
            if (!chunk)
                return NULL;
            gs_tls.stats.mapped_bytes += GS_CHUNK_SIZE;
            t->chunk_cur = chunk;
            t->chunk_end = chunk + GS_CHUNK_SIZE;
        }
        base = t->chunk_cur;
        t->chunk_cur += size;
        kind = GS_SEG_POOL;
    } else {
        base = map_block(size, &room); /* fresh: pages move in (gs_seg_move_pages) or fault in */
        if (!base)
            return NULL;
        gs_tls.stats.mapped_bytes += size;
        kind = GS_SEG_MMAP;
    }
    gs_thread_note_stack((long)size);
    struct gs_seg *seg = seg_init(base, size, base, kind, c);
    seg->fresh = kind == GS_SEG_MMAP;
    seg->room = (uint16_t)(room / GS_HUGE_MIN);
    return seg;
}

/* The usable part of a fixed stack is exactly `max` bytes (rounded down to 16)
 * below the descriptor: the mapping has whole pages, so [base + page, lo) is
 * slack that only uninstrumented code can reach before the guard page; the
 * prologue checks, and so every report, see the limit itself. */
static struct gs_seg *fixed_init(char *base, size_t size, size_t max)
{
    struct gs_seg *s = seg_init(base, size, base + page_size(), GS_SEG_FIXED, 0);
    char *lo = (char *)(((uintptr_t)GS_SEG_HI(s) - max + 15) & ~(uintptr_t)15);
    gs_assert(lo >= s->lo);
    s->lo = lo;
    return s;
}

static struct gs_seg *alloc_fixed(size_t max);

struct gs_seg *gs_seg_alloc_fixed(size_t max)
{
    struct gs_seg *s = alloc_fixed(max);
    if (s)
        stack_register(s);
    return s;
}

static struct gs_seg *alloc_fixed(size_t max)
{
    struct seg_cache *t = &cache;
    size_t ps = page_size();
    size_t usable = (max + ps - 1) & ~(ps - 1);
    size_t size = usable + ps /* guard */ + ((sizeof(struct gs_seg) + ps - 1) & ~(ps - 1));
    for (struct gs_seg **pp = &t->fixed_cache; *pp; pp = &(*pp)->prev) {
        struct gs_seg *s = *pp;
        if (s->size == size) {
            *pp = s->prev;
            t->nfixed_cache--;
            return fixed_init(s->base, s->size, max);
        }
    }
    char *base = map(size);
    if (!base)
        return NULL;
    if (mprotect(base, ps, PROT_NONE)) {
        int e = errno;
        munmap(base, size);
        errno = e;
        return NULL;
    }
    gs_tls.stats.mapped_bytes += size;
    /* Not stack_bytes: what the coroutine uses of it counts (stack.c, the watermark). */
    return fixed_init(base, size, max);
}

/* The pages of a block over GS_MMAP_CACHE_BYTES that the cache keeps, given
 * back lazily: all but the top page (2 MiB in a huge-page block, which a
 * partial range would split) that holds the descriptor, whose fields the
 * cache still needs. 0 if the kernel has no MADV_FREE: the block is unmapped. */
static int release_lazily(struct gs_seg *s)
{
#ifdef MADV_FREE
    size_t ps = s->size >= GS_HUGE_MIN ? GS_HUGE_MIN : page_size();
    uintptr_t top = (uintptr_t)s & ~(uintptr_t)(ps - 1);
    if (top > (uintptr_t)s->base && madvise(s->base, top - (uintptr_t)s->base, MADV_FREE) != 0)
        return 0;
    s->resident = 0; /* the kernel may have taken pages by the next use */
    return 1;
#else
    (void)s;
    return 0;
#endif
}

void gs_seg_free(struct gs_seg *s)
{
    struct seg_cache *t = &cache;
    stack_deregister(s);
    if (s->kind != GS_SEG_FIXED)
        gs_thread_note_stack(-(long)s->size);
    if (gs_cfg.poison && s->kind != GS_SEG_FIXED)
        memset(s->base, GS_POISON_BYTE, s->size - sizeof(struct gs_seg));
    switch (s->kind) {
    case GS_SEG_POOL:
        s->prev = t->pool[s->cls];
        t->pool[s->cls] = s;
        t->npool[s->cls]++;
        return;
    case GS_SEG_MMAP:
        if (t->npool[s->cls] < GS_MMAP_CACHE_MAX && !gs_cfg.poison &&
            s->size <= GS_MMAP_CACHE_BYTES) {
            s->prev = t->pool[s->cls];
            t->pool[s->cls] = s;
            t->npool[s->cls]++;
            return;
        }
        if (s->size > GS_MMAP_CACHE_BYTES && t->nlarge == 0 && !gs_cfg.poison &&
            release_lazily(s)) {
            s->prev = t->pool[s->cls];
            t->pool[s->cls] = s;
            t->npool[s->cls]++;
            t->nlarge = 1;
            return;
        }
        break;
    case GS_SEG_FIXED:
        if (t->nfixed_cache < GS_FIXED_CACHE_MAX && !gs_cfg.poison) {
            s->prev = t->fixed_cache;
            t->fixed_cache = s;
            t->nfixed_cache++;
            return;
        }
        break;
    }
    gs_tls.stats.mapped_bytes -= s->size;
    unmap_block(s);
}

int gs_seg_can_remap(const struct gs_seg *old, const struct gs_seg *n)
{
    /* Into the first huge-page block (grow_to's jump): copied, so that the
     * block's top is a huge page; pages moved in would keep their small ones. */
    if (gs_cfg.hugepages && old->size < GS_HUGE_MIN && n->size >= GS_HUGE_MIN)
        return 0;
    /* A fresh n, or the kept block over GS_MMAP_CACHE_BYTES (not prefaulted:
     * its pages below the moved part are what it keeps), only for growth: a
     * move to a block of the same size
     * (GROWSTACK_FORCE_MOVE) or a smaller one (a shrink) copies, and the old
     * block goes back to the cache for the next move (remapping would leave
     * the cache empty and cost three system calls per forced move). */
    return old->kind == GS_SEG_MMAP && n->kind == GS_SEG_MMAP &&
           (((n->fresh || n->size > GS_MMAP_CACHE_BYTES) && n->size > old->size) ||
            old->size > GS_MMAP_CACHE_BYTES);
}

int gs_seg_move_pages(struct gs_seg *old, struct gs_seg *n, uintptr_t sp)
{
    if (!gs_seg_can_remap(old, n))
        return 0;
    /* Between huge-page blocks, whole 2 MiB pages: both blocks are 2 MiB
     * aligned and delta is a multiple of 2 MiB, and a range that starts inside
     * a huge page would split it into small ones. */
    size_t ps = old->size >= GS_HUGE_MIN ? GS_HUGE_MIN : page_size();
    uintptr_t src = sp & ~(uintptr_t)(ps - 1);
    uintptr_t end = (uintptr_t)old->base + old->size;
    uintptr_t dst = src + ((uintptr_t)GS_SEG_HI(n) - (uintptr_t)GS_SEG_HI(old));
    struct gs_seg od = *old, nd = *n;
    if (dst < (uintptr_t)n->base || (dst & (ps - 1)))
        return 0;
    /* Out of the collector's roots before its pages go (gcroots.h): a
     * collection may stop this thread anywhere in between. */
    gs_gcroots_remove(od.lo, root_bytes(&od));
    if (mremap((void *)src, end - src, end - src, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)dst) ==
        MAP_FAILED) {
        gs_gcroots_add(od.lo, root_bytes(&od));
        return 0;
    }
    stack_deregister_except_gc(&od);
    /* The top page of n now holds old's descriptor at n's descriptor's place. */
    *n = nd;
    n->fresh = 0;
    size_t room = (size_t)od.room * GS_HUGE_MIN;
    if (src > (uintptr_t)od.base - room)
        munmap(od.base - room, src - ((uintptr_t)od.base - room));
    gs_tls.stats.mapped_bytes -= od.size;
    gs_thread_note_stack(-(long)od.size);
    return 1;
}

static void stack_extended(const struct gs_seg *old, struct gs_seg *s);

int gs_seg_extend(struct gs_seg *s, size_t usable)
{
    if (s->kind != GS_SEG_MMAP || !s->room)
        return 0;
    unsigned c = class_for(usable);
    size_t size = GS_CLASS_SIZE(c), room = (size_t)s->room * GS_HUGE_MIN;
    if (size <= s->size || size < usable + sizeof(struct gs_seg) || size - s->size > room)
        return 0;
    size_t add = size - s->size;
    char *base = s->base - add;
    if (mprotect(base, add, PROT_READ | PROT_WRITE) != 0)
        return 0; /* ENOMEM: the map count or the commit limit; the caller moves */
    advise_huge(base, add);
    struct gs_seg old = *s;
    s->base = base;
    s->lo = base;
    s->size = size;
    s->cls = c;
    s->room = (uint16_t)((room - add) / GS_HUGE_MIN);
    s->resident = 0; /* the new part is not */
    gs_tls.stats.mapped_bytes += add;
    gs_thread_note_stack((long)add);
    stack_extended(&old, s);
    return 1;
}

/* LeakSanitizer (-fsanitize=leak, docs/usage.md section 5) looks for
 * pointers in thread stacks, TLS and globals, not in other mappings: a heap
 * block that only a coroutine's stack points to (a coroutine suspended at
 * exit) would be reported as leaked. So a block is a root region while it is
 * a stack. Null without LSan's run-time library. The region is computed from
 * fields alone (lo, base, size), so that a copy of the descriptor
 * (gs_seg_move_pages) deregisters what the block registered. */
extern void __lsan_register_root_region(const void *p, size_t size) __attribute__((weak));
extern void __lsan_unregister_root_region(const void *p, size_t size) __attribute__((weak));

/* A block becomes a stack: registered with Valgrind (its usable part fresh)
 * and LeakSanitizer. */
static void stack_register(struct gs_seg *s)
{
    gs_seg_valgrind_fresh(s);
#ifdef GROWSTACK_VALGRIND
    s->valgrind_id = VALGRIND_STACK_REGISTER(s->lo, GS_SEG_HI(s));
#endif
    if (__lsan_register_root_region)
        __lsan_register_root_region(s->lo, root_bytes(s));
    gs_gcroots_add(s->lo, root_bytes(s));
}

static void stack_deregister_except_gc(const struct gs_seg *s)
{
#ifdef GROWSTACK_VALGRIND
    VALGRIND_STACK_DEREGISTER(s->valgrind_id);
#endif
    if (__lsan_unregister_root_region)
        __lsan_unregister_root_region(s->lo, root_bytes(s));
}

static void stack_deregister(const struct gs_seg *s)
{
    gs_gcroots_remove(s->lo, root_bytes(s));
    stack_deregister_except_gc(s);
}

/* The block grew in place from `old` (its descriptor before): the same
 * registrations over the new range, the new part undefined to memcheck; the
 * collector's new root before the old one goes, so no moment has neither. */
static void stack_extended(const struct gs_seg *old, struct gs_seg *s)
{
#ifdef GROWSTACK_VALGRIND
    VALGRIND_STACK_CHANGE(s->valgrind_id, s->lo, GS_SEG_HI(s));
    (void)VALGRIND_MAKE_MEM_UNDEFINED(s->lo, (size_t)(old->lo - s->lo));
#endif
    if (__lsan_unregister_root_region)
        __lsan_unregister_root_region(old->lo, root_bytes(old));
    if (__lsan_register_root_region)
        __lsan_register_root_region(s->lo, root_bytes(s));
    gs_gcroots_add(s->lo, root_bytes(s));
    gs_gcroots_remove(old->lo, root_bytes(old));
}

/* Memcheck marks stack memory below %rsp inaccessible as the stack pointer
 * rises (returns), and does not follow the switch when %rsp moves to another
 * stack: a block that served as a stack before (a cached segment, a reused
 * block) still carries those marks, and the runtime's first writes into it
 * (copied arguments, the entry frame) would be reported. A block that becomes a
 * stack is, to memcheck, newly allocated and undefined. */
void gs_seg_valgrind_fresh(struct gs_seg *s)
{
#ifdef GROWSTACK_VALGRIND
    (void)VALGRIND_MAKE_MEM_UNDEFINED(s->lo, GS_SEG_USABLE(s));
#else
    (void)s;
#endif
}

int gs_seg_under_valgrind(void)
{
#ifdef GROWSTACK_VALGRIND
    return RUNNING_ON_VALGRIND != 0 && gs_libc_leaves_valgrind_tool();
#else
    return 0;
#endif
}

void gs_seg_valgrind_scan(int begin)
{
#ifdef GROWSTACK_VALGRIND
    if (begin)
        VALGRIND_DISABLE_ERROR_REPORTING;
    else
        VALGRIND_ENABLE_ERROR_REPORTING;
#else
    (void)begin;
#endif
}

void *gs_seg_valgrind_vbits_save(void *p, size_t n)
{
#ifdef GROWSTACK_VALGRIND
    if (!RUNNING_ON_VALGRIND || n == 0)
        return NULL;
    /* mmap, not malloc: the move may have interrupted a malloc of the program's. */
    void *v = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (v == MAP_FAILED)
        gs_fatal("out of memory saving the definedness of %zu bytes for memcheck", n);
    if (VALGRIND_GET_VBITS(p, v, n) != 1) { /* not memcheck, or not addressable */
        munmap(v, n);
        return NULL;
    }
    (void)VALGRIND_MAKE_MEM_DEFINED(p, n);
    return v;
#else
    (void)p;
    (void)n;
    return NULL;
#endif
}

void gs_seg_valgrind_vbits_restore(void *saved, void *p, size_t n)
{
#ifdef GROWSTACK_VALGRIND
    if (saved) {
        (void)VALGRIND_SET_VBITS(p, saved, n);
        munmap(saved, n);
    }
#else
    (void)saved;
    (void)p;
    (void)n;
#endif
}

void gs_seg_cache_trim(void)
{
    struct seg_cache *t = &cache;
    size_t ps = page_size();
    for (unsigned c = 0; c < GS_NCLASS; c++) {
        struct gs_seg **pp = &t->pool[c];
        while (*pp) {
            struct gs_seg *s = *pp;
            if (s->kind == GS_SEG_MMAP) {
                *pp = s->prev;
                t->npool[c]--;
                if (s->size > GS_MMAP_CACHE_BYTES)
                    t->nlarge--;
                gs_tls.stats.mapped_bytes -= s->size;
                unmap_block(s);
                continue;
            }
            /* Chunk-carved: keep the block (and the descriptor's page), drop the
             * pages below it so they are faulted in afresh. */
            uintptr_t lo = ((uintptr_t)s->base + ps - 1) & ~(uintptr_t)(ps - 1);
            uintptr_t hi = (uintptr_t)s & ~(uintptr_t)(ps - 1);
            if (hi > lo)
                madvise((void *)lo, hi - lo, MADV_DONTNEED);
            pp = &s->prev;
        }
    }
    while (t->fixed_cache) {
        struct gs_seg *s = t->fixed_cache;
        t->fixed_cache = s->prev;
        t->nfixed_cache--;
        gs_tls.stats.mapped_bytes -= s->size;
        munmap(s->base, s->size);
    }
}

void gs_seg_thread_exit(void)
{
    gs_seg_cache_trim();
    memset(&cache, 0, sizeof cache);
}
