/* records.c - registry of instrumented modules and their function records
 * (see records.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fatal.h"
#include "libc_leaves.h"
#include "mem.h"
#include "records.h"

struct module_state {
    struct gs_module *m;
    uintptr_t lo, hi;              /* growstack_text                     */
    struct gs_func_info *funcs;    /* sorted by start                    */
    size_t n;
    const uint8_t *eh_hdr;         /* its .eh_frame_hdr, or NULL         */
};

__typeof__(gs_text_ranges) gs_text_ranges;

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static struct module_state mods[GS_MAX_MODULES];
static size_t nmods;
static uint64_t generation = 1;   /* changed under the write lock; read without it */

static int cmp_func(const void *a, const void *b)
{
    const struct gs_func_info *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static const char *record_name(const struct gs_record *r)
{
    return r->name ? (const char *)((uintptr_t)&r->name + (intptr_t)r->name) : NULL;
}

void gs_records_register(struct gs_module *m)
{
    if (!m || m->version != GS_MODULE_VERSION)
        gs_fatal("gs_records_register: module descriptor %p has version %u; this runtime "
                 "understands version %u (rebuild the program and its libraries with a "
                 "matching gscc)",
                 (void *)m, m ? m->version : 0, GS_MODULE_VERSION);
    gs_libc_leaves_init(); /* before any module's code can call a thunk */
    /* The loader's walk (dl_iterate_phdr) before the registry's write lock:
     * frame walks' lookups wait on that lock. */
    const uint8_t *eh_hdr = gs_unwind_hdr((uintptr_t)m->text_begin);
    pthread_rwlock_wrlock(&lock);
    for (size_t i = 0; i < nmods; i++)
        if (mods[i].m == m) {
            pthread_rwlock_unlock(&lock);
            return;
        }
    size_t n = (size_t)(m->rec_end - m->rec_begin);
    struct gs_func_info *f = gs_mem_malloc((n ? n : 1) * sizeof *f);
    if (!f)
        gs_fatal("out of memory registering %zu function records", n);
    for (size_t i = 0; i < n; i++) {
        const struct gs_record *r = &m->rec_begin[i];
        f[i].start = (uintptr_t)&r->func + (intptr_t)r->func;
        f[i].flags = r->flags;
        f[i].name = record_name(r);
        f[i].frame = (struct gs_frame_rule){0}; /* per return address, on lookup */
    }
    qsort(f, n, sizeof *f, cmp_func);
    size_t slot = nmods;
    for (size_t i = 0; i < nmods; i++)
        if (!mods[i].m) {
            slot = i;
            break;
        }
    if (slot == GS_MAX_MODULES)
        gs_fatal("more than %d instrumented modules loaded", GS_MAX_MODULES);
    mods[slot] = (struct module_state){m, (uintptr_t)m->text_begin, (uintptr_t)m->text_end, f, n,
                                       eh_hdr};
    gs_text_ranges.r[slot].lo = (uintptr_t)m->text_begin;
    __atomic_store_n(&gs_text_ranges.r[slot].hi, (uintptr_t)m->text_end, __ATOMIC_RELEASE);
    if (slot == nmods) {
        nmods++;
        __atomic_store_n(&gs_text_ranges.count, nmods, __ATOMIC_RELEASE);
    }
    __atomic_add_fetch(&generation, 1, __ATOMIC_RELEASE);
    pthread_rwlock_unlock(&lock);
}

void gs_records_unregister(struct gs_module *m)
{
    pthread_rwlock_wrlock(&lock);
    for (size_t i = 0; i < nmods; i++)
        if (mods[i].m == m) {
            __atomic_store_n(&gs_text_ranges.r[i].hi, 0, __ATOMIC_RELEASE);
            gs_text_ranges.r[i].lo = 0;
            gs_mem_free(mods[i].funcs);
            memset(&mods[i], 0, sizeof mods[i]);
            __atomic_add_fetch(&generation, 1, __ATOMIC_RELEASE);
            break;
        }
    pthread_rwlock_unlock(&lock);
}

int gs_records_instrumented(uintptr_t pc)
{
    uint64_t n = __atomic_load_n(&gs_text_ranges.count, __ATOMIC_ACQUIRE);
    for (uint64_t i = 0; i < n; i++)
        if (pc >= gs_text_ranges.r[i].lo && pc < gs_text_ranges.r[i].hi)
            return 1;
    return 0;
}

static int find_locked(uintptr_t pc, struct gs_func_info *info, const uint8_t **eh_hdr)
{
    for (size_t i = 0; i < nmods; i++) {
        struct module_state *ms = &mods[i];
        if (!ms->m || pc < ms->lo || pc >= ms->hi || !ms->n)
            continue;
        size_t lo = 0, hi = ms->n;   /* greatest start <= pc */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (ms->funcs[mid].start <= pc)
                lo = mid;
            else
                hi = mid;
        }
        if (ms->funcs[lo].start <= pc) {
            *info = ms->funcs[lo];
            *eh_hdr = ms->eh_hdr;
            return 1;
        }
    }
    return 0;
}

/* The per-thread cache: direct-mapped by return address. A frame walk through
 * a deep recursion meets the same few return addresses again and again; each
 * hit costs a load and a compare instead of the registry's read lock (two
 * atomic read-modify-writes on a shared line) and a binary search. Misses
 * (found or not) are cached too: an unknown frame is looked up once. */
#define GS_REC_CACHE_SIZE 256   /* entries, a power of two */

struct gs_rec_cache {
    uint64_t generation;
    struct gs_rec_cache_entry {
        uintptr_t pc;           /* 0: empty */
        struct gs_func_info info;
        int found;
    } e[GS_REC_CACHE_SIZE];
};

/* The calling thread's cache, allocated by its first lookup. */
static __thread struct gs_rec_cache *thread_cache;

int gs_records_find(uintptr_t pc, struct gs_func_info *info)
{
    struct gs_rec_cache *c = thread_cache;
    uint64_t gen = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
    if (__builtin_expect(!c, 0)) {
        c = thread_cache = gs_mem_calloc(1, sizeof *c);
        if (!c)
            gs_fatal("out of memory for the record lookup cache");
        c->generation = gen;
    }
    if (__builtin_expect(c->generation != gen, 0)) {
        memset(c->e, 0, sizeof c->e);
        c->generation = gen;
    }
    struct gs_rec_cache_entry *e = &c->e[(pc ^ (pc >> 9)) & (GS_REC_CACHE_SIZE - 1)];
    if (__builtin_expect(e->pc == pc && pc, 1)) {
        if (e->found)
            *info = e->info;
        return e->found;
    }
    struct gs_func_info fi;
    const uint8_t *eh_hdr = NULL;
    pthread_rwlock_rdlock(&lock);
    /* pc is a return address: the function is the one that holds the call,
     * pc - 1. A call to a noreturn function can be a function's last
     * instruction, and then its return address is the next function's first
     * byte, or the end of the module's growstack_text. */
    int found = find_locked(pc - 1, &fi, &eh_hdr);
    pthread_rwlock_unlock(&lock);
    /* The module stays loaded while a frame of it is live: its tables too. */
    if (found && !gs_unwind_rule(eh_hdr, pc, &fi.frame))
        fi.frame.ok = 0;
    e->pc = pc;
    e->found = found;
    if (found)
        *info = e->info = fi;
    return found;
}

const char *gs_records_name_nolock(uintptr_t pc)
{
    struct gs_func_info fi;
    const uint8_t *eh_hdr;
    return find_locked(pc, &fi, &eh_hdr) ? fi.name : NULL;
}

void gs_records_thread_exit(void)
{
    gs_mem_free(thread_cache);
    thread_cache = NULL;
}
