/* pins.c - the table of frames that pinned stacks (see pins.h). */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "fatal.h"
#include "pins.h"
#include "records.h"

#define GS_PIN_SITES 512    /* a power of two */
#define GS_PIN_PRINT 8      /* lines in the statistics */

struct gs_pin_site {
    uintptr_t key;          /* 0: free; published last (release)       */
    uint64_t count;
    unsigned reason;
    char name[96];
};

static struct gs_pin_site sites[GS_PIN_SITES];
static struct gs_pin_site other = {1, 0, GS_PIN_OTHER, "other functions"};
static pthread_mutex_t insert_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned nsites;

unsigned gs_pins_reason_of(uint32_t flags)
{
    if (!(flags & GS_REC_PINNED))
        return 0;
    if (flags & GS_REC_ESCAPE)
        return GS_PIN_ESCAPE;
    if (flags & GS_REC_SETJMP)
        return GS_PIN_SETJMP;
    if (flags & GS_REC_X87)
        return GS_PIN_X87;
    return GS_PIN_FLAGGED;
}

const char *gs_pins_reason_name(unsigned reason)
{
    switch (reason) {
    case GS_PIN_ESCAPE: return "escape: an address the side stack cannot take";
    case GS_PIN_SETJMP: return "setjmp: a returns_twice call other than setjmp";
    case GS_PIN_X87: return "x87 long double";
    case GS_PIN_FLAGGED: return "pinned by its record";
    case GS_PIN_UNKNOWN: return "unknown frame";
    case GS_PIN_CHAIN: return "frame walk leaves the segment";
    case GS_PIN_NOUNWIND: return "no call-frame information";
    case GS_PIN_OTHER: return "various";
    }
    return "?";
}

static void name_of(char *buf, size_t len, uintptr_t key, unsigned reason)
{
    Dl_info di;
    if (key && dladdr((void *)key, &di)) {
        const char *file = di.dli_fname ? di.dli_fname : "?";
        if (di.dli_sname && di.dli_saddr == (void *)key)
            gs_format(buf, len, "%s", di.dli_sname);
        else if (di.dli_sname && reason == GS_PIN_UNKNOWN)
            gs_format(buf, len, "%s+0x%lx in %s", di.dli_sname,
                      (unsigned long)(key - (uintptr_t)di.dli_saddr), file);
        else
            gs_format(buf, len, "%p (%s+0x%lx)", (void *)key, file,
                      (unsigned long)(key - (uintptr_t)di.dli_fbase));
        return;
    }
    gs_format(buf, len, "%p", (void *)key);
}

static size_t slot_of(uintptr_t key)
{
    return (size_t)((key ^ (key >> 12)) * 0x9e3779b97f4a7c15ull >> 55) & (GS_PIN_SITES - 1);
}

struct gs_pin_site *gs_pins_site(uintptr_t key, unsigned reason, const char *name)
{
    size_t i = slot_of(key);
    for (unsigned probe = 0; probe < GS_PIN_SITES; probe++, i = (i + 1) & (GS_PIN_SITES - 1)) {
        uintptr_t k = __atomic_load_n(&sites[i].key, __ATOMIC_ACQUIRE);
        if (k == key && sites[i].reason == reason)
            return &sites[i];
        if (k)
            continue;
        /* A free slot: insert under the lock (another thread may be inserting). */
        pthread_mutex_lock(&insert_lock);
        k = __atomic_load_n(&sites[i].key, __ATOMIC_ACQUIRE);
        if (k) {
            pthread_mutex_unlock(&insert_lock);
            if (k == key && sites[i].reason == reason)
                return &sites[i];
            continue;
        }
        if (nsites >= GS_PIN_SITES * 3 / 4) {
            pthread_mutex_unlock(&insert_lock);
            return &other;
        }
        struct gs_pin_site *s = &sites[i];
        s->reason = reason;
        if (name)
            gs_format(s->name, sizeof s->name, "%s", name);
        else
            name_of(s->name, sizeof s->name, key, reason);
        nsites++;
        __atomic_store_n(&s->key, key, __ATOMIC_RELEASE);
        pthread_mutex_unlock(&insert_lock);
        return s;
    }
    return &other;
}

void gs_pins_flush(struct gs_pin_tally *t)
{
    if (t->site && t->n)
        __atomic_add_fetch(&t->site->count, t->n, __ATOMIC_RELAXED);
    t->site = NULL;
    t->n = 0;
}


unsigned gs_pins_reason(const struct gs_pin_site *s)
{
    return s->reason;
}

const char *gs_pins_name(const struct gs_pin_site *s)
{
    return s->name;
}

void gs_pins_print(FILE *out, const struct gs_pin_tally *live, size_t nlive)
{
    struct {
        const struct gs_pin_site *s;
        uint64_t count;
    } top[GS_PIN_PRINT + 1];
    size_t n = 0;
    for (size_t i = 0; i <= GS_PIN_SITES; i++) {
        const struct gs_pin_site *s = i < GS_PIN_SITES ? &sites[i] : &other;
        if (!__atomic_load_n(&s->key, __ATOMIC_ACQUIRE))
            continue;
        uint64_t c = __atomic_load_n(&s->count, __ATOMIC_RELAXED);
        for (size_t k = 0; k < nlive; k++)
            if (live[k].site == s)
                c += live[k].n;
        if (!c)
            continue;
        /* insertion into the sorted top list */
        size_t j = n < GS_PIN_PRINT ? n++ : GS_PIN_PRINT;
        while (j > 0 && top[j - 1].count < c) {
            top[j] = top[j - 1];
            j--;
        }
        if (j < GS_PIN_PRINT) {
            top[j].s = s;
            top[j].count = c;
        }
    }
    for (size_t i = 0; i < n; i++)
        fprintf(out, "growstack:   pinned by %s: %llu pins (%s)\n", top[i].s->name,
                (unsigned long long)top[i].count, gs_pins_reason_name(top[i].s->reason));
}
