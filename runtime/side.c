/* side.c - the side stack's slow path, chunks, signal area (see side.h and
 * docs/protocol.md 7.2). */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "config.h"
#include "fatal.h"
#include "gcroots.h"
#include "mem.h"
#include "records.h"
#include "side.h"
#include "thread.h"

__thread struct gs_side __gs_side __attribute__((tls_model("initial-exec"))) = {
    NULL, GS_SIDE_NO_LIM, NULL};

__thread struct gs_side_thread gs_side_tls __attribute__((tls_model("initial-exec"))) = {
    .saved = {NULL, GS_SIDE_NO_LIM, NULL}};

static void free_chunks(struct gs_side_owner *o, struct gs_side_chunk *c)
{
    while (c) {
        struct gs_side_chunk *n = c->next;
        gs_assert(c->kind == GS_SIDE_HEAP);
        o->bytes -= c->size;
        gs_tls.stats.side_bytes -= c->size;
        gs_gcroots_remove(c, c->size);
        gs_mem_free(c);
        c = n;
    }
}

static void describe_fn(char *buf, size_t len, const void *fn)
{
    Dl_info di;
    const char *name = fn ? gs_records_name_nolock((uintptr_t)fn) : NULL;
    if (name)
        gs_format(buf, len, "%s (%p)", name, fn);
    else if (fn && dladdr(fn, &di) && di.dli_sname && di.dli_saddr == fn)
        gs_format(buf, len, "%s (%p)", di.dli_sname, fn);
    else
        gs_format(buf, len, "%p", fn);
}

__attribute__((noreturn)) static void signal_area_exhausted(size_t size)
{
    char who[128];
    describe_fn(who, sizeof who, gs_tls.ext_target);
    gs_fatal("side stack overflow in signal handler %s: a side frame of %zu bytes does not "
             "fit in the %zu-byte side area of signal handlers (locals whose address "
             "escapes; keep them small or in static storage)",
             who, size, GS_SIDE_SIGNAL_SIZE - GS_SIDE_CHUNK_HDR);
}

__attribute__((noreturn)) static void side_overflow(struct gs_side_owner *o, size_t size,
                                                    size_t chunk)
{
    char who[64];
    gs_thread_name_cur(who, sizeof who);
    gs_fatal_report("side stack overflow in %s, mode %s: a side frame of %zu bytes needs a new "
                  "chunk of %zu bytes; the side stack holds %zu bytes, limit %zu "
                  "(GROWSTACK_MAX, counted separately from the stack)",
                  who, gs_mode_name(gs_cfg.mode), size, chunk, o->bytes, gs_cfg.max);
}

/* The chunk holding __gs_side.lim: the current one, or NULL. */
static struct gs_side_chunk *current_chunk(void)
{
    return __gs_side.lim == GS_SIDE_NO_LIM ? NULL : GS_SIDE_CHUNK(__gs_side.lim);
}

void gs_side_alloc_check(size_t size, size_t align)
{
    struct gs_side_chunk *cur = current_chunk();
    if (cur && cur->kind == GS_SIDE_SIGNAL)
        signal_area_exhausted(size); /* before anything that is not async-signal-safe */
    if (align < 16 || (align & (align - 1)) || align > GS_SIDE_ALIGN_MAX ||
        size >= ((size_t)1 << 31))
        gs_fatal("__gs_side_alloc(%zu, %zu): a side frame must be smaller than 2 GiB and "
                 "aligned to a power of two from 16 to %zu (docs/protocol.md 7.2)",
                 size, align, GS_SIDE_ALIGN_MAX);
}

/* The owner of the chain holding c, when it hangs from a struct
 * gs_side_stack's root; else NULL (the running coroutine's or thread's). */
static struct gs_side_owner *root_owner(struct gs_side_chunk *c)
{
    while (c && c->prev)
        c = c->prev;
    if (!c || c->kind != GS_SIDE_ROOT)
        return NULL;
    return &((struct gs_side_stack *)((char *)c - offsetof(struct gs_side_stack, root)))->owner;
}

struct gs_side_alloc_result gs_side_alloc(struct gs_side_owner *o, size_t size, size_t align)
{
    struct gs_side *s = &__gs_side;
    struct gs_side_chunk *cur = current_chunk();
    struct gs_side_owner *ro = root_owner(cur);
    if (ro)
        o = ro;
    struct gs_side_chunk **link = cur ? &cur->next : &o->first;
    struct gs_side_chunk *n = *link;
    size_t need = GS_SIDE_CHUNK_HDR + size + align;
    gs_assert(((uintptr_t)s->sp & 15) == 0); /* side.h; small frames skip the rounding */
    if (n && (size_t)(n->hi - GS_SIDE_CHUNK_LO(n)) >= size + align) {
        /* The fast path takes a successor that holds the frame; one that holds
         * size + align - 16 but not this alignment ends up here. */
    } else {
        if (n) {
            *link = NULL;
            free_chunks(o, n);
        }
        size_t want = cur ? 2 * cur->size : GS_SIDE_FIRST;
        if (want < need)
            want = need;
        want = (want + 15) & ~(size_t)15;
        if (o->bytes + want > gs_cfg.max) {
            /* What the limit still allows, if it holds the frame. */
            size_t room = gs_cfg.max > o->bytes ? (gs_cfg.max - o->bytes) & ~(size_t)15 : 0;
            if (room < need)
                side_overflow(o, size, want);
            want = room;
        }
        n = gs_mem_malloc(want);
        if (!n)
            gs_fatal("out of memory for a %zu-byte side stack chunk", want);
        if ((uintptr_t)GS_SIDE_CHUNK_LO(n) < GS_SIDE_LIM_MIN)
            gs_fatal("malloc returned a side stack chunk at %p, below address %zu, where "
                     "the inline side frame check assumes no chunk lies (side.h)",
                     (void *)n, (size_t)GS_SIDE_LIM_MIN);
        n->next = NULL;
        n->prev = cur;
        n->hi = (char *)(((uintptr_t)n + want) & ~(uintptr_t)15);
        n->size = want;
        n->kind = GS_SIDE_HEAP;
        gs_gcroots_add(n, want);
        *link = n;
        o->bytes += want;
        if (o->bytes > o->peak)
            o->peak = o->bytes;
        if (o->peak > gs_tls.stats.side_peak)
            gs_tls.stats.side_peak = o->peak;
        gs_tls.stats.side_bytes += want;
        gs_tls.stats.side_chunks++;
    }
    char *base = (char *)(((uintptr_t)n->hi - size) & ~(uintptr_t)(align - 1));
    gs_assert(base >= GS_SIDE_CHUNK_LO(n));
    /* A small frame's exits leave n current and empty; a large one's restore
     * the old state (side.h). */
    char *restore_sp = size < GS_SIDE_SMALL ? n->hi : s->sp;
    s->sp = base;
    s->lim = GS_SIDE_CHUNK_LO(n);
    return (struct gs_side_alloc_result){base, restore_sp};
}

void gs_side_stack_init(struct gs_side_stack *s, struct gs_side *state)
{
    gs_assert(((uintptr_t)s & 15) == 0);
    struct gs_side_chunk *r = &s->root;
    r->next = r->prev = NULL;
    r->hi = GS_SIDE_CHUNK_LO(r);
    /* The slow path allocates twice the current chunk: GS_SIDE_FIRST first. */
    r->size = GS_SIDE_FIRST / 2;
    r->kind = GS_SIDE_ROOT;
    r->pad0 = 0;
    r->pad1 = 0;
    s->owner = (struct gs_side_owner){NULL, 0, 0};
    gs_assert((uintptr_t)r->hi >= GS_SIDE_LIM_MIN);
    *state = (struct gs_side){r->hi, r->hi, NULL};
}

void gs_side_stack_release(struct gs_side_stack *s)
{
    free_chunks(&s->owner, s->root.next);
    s->root.next = NULL;
    gs_assert(s->owner.bytes == 0);
}

void gs_side_release(struct gs_side_owner *o)
{
    free_chunks(o, o->first);
    o->first = NULL;
    gs_assert(o->bytes == 0);
}

void gs_side_trim(struct gs_side_owner *o, const struct gs_side *state)
{
    struct gs_side_chunk **link =
        state->lim == GS_SIDE_NO_LIM ? &o->first : &GS_SIDE_CHUNK(state->lim)->next;
    struct gs_side_chunk *n = *link;
    if (!n)
        return;
    *link = NULL;
    free_chunks(o, n);
}

/* ---- signal handlers ---------------------------------------------------------- */

void gs_side_signal_area_init(void *p)
{
    if (gs_side_tls.sig_area)
        return;
    struct gs_side_chunk *a = p;
    gs_assert((uintptr_t)GS_SIDE_CHUNK_LO(a) >= GS_SIDE_LIM_MIN);
    a->next = a->prev = NULL;
    a->hi = (char *)p + GS_SIDE_SIGNAL_SIZE;
    a->size = GS_SIDE_SIGNAL_SIZE;
    a->kind = GS_SIDE_SIGNAL;
    gs_side_tls.sig_area = a;
}

void gs_side_signal_area_drop(void *p)
{
    if ((void *)gs_side_tls.sig_area == p)
        gs_side_tls.sig_area = NULL;
}

/* A thread the runtime initialized has its area beside its sigaltstack
 * (signals.c). Any other thread's is mapped the first time a handler runs there
 * (mmap is async-signal-safe; malloc is not). A thread that never initialized
 * the runtime never runs gs_side_thread_exit: its area (16 KiB) is not unmapped
 * when it exits. */
static struct gs_side_chunk *signal_area(void)
{
    struct gs_side_chunk *a = gs_side_tls.sig_area;
    if (__builtin_expect(a != NULL, 1))
        return a;
    void *p = mmap(NULL, GS_SIDE_SIGNAL_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        gs_fatal("cannot map the %zu-byte side area for signal handlers", GS_SIDE_SIGNAL_SIZE);
    gs_side_signal_area_init(p);
    return gs_side_tls.sig_area;
}

void gs_side_signal_enter(struct gs_side *saved)
{
    struct gs_side_chunk *a = signal_area();
    *saved = __gs_side;
    char *lo = GS_SIDE_CHUNK_LO(a);
    /* A handler interrupting a handler continues below its side frames. */
    __gs_side.sp = saved->lim == lo ? saved->sp : a->hi;
    __gs_side.lim = lo;
    __gs_side.jb = NULL;
}

void gs_side_signal_leave(const struct gs_side *saved)
{
    __gs_side = *saved;
}

void gs_side_thread_exit(void)
{
    gs_side_release(&gs_side_tls.owner);
    /* Instrumented code may still run on this thread (another key's
     * destructor): it starts a new side stack rather than use a freed one. */
    __gs_side = GS_SIDE_INIT;
    gs_side_tls.saved = GS_SIDE_INIT;
    /* An area beside the sigaltstack went with it (gs_signals_thread_exit runs
     * first and drops it); this one was mapped on its own. */
    if (gs_side_tls.sig_area) {
        munmap(gs_side_tls.sig_area, GS_SIDE_SIGNAL_SIZE);
        gs_side_tls.sig_area = NULL;
    }
}
