/* dyn.c - the dynamic alloca blocks of a stack (see dyn.h). */
#include <stdint.h>
#include <stdlib.h>

#include "dyn.h"
#include "fatal.h"
#include "gcroots.h"
#include "mem.h"
#include "thread.h"

struct gs_dyn {
    struct gs_dyn *next;
    size_t depth;
    size_t size;
    uint64_t pad;
    /* 16-byte aligned data follows */
};
_Static_assert(sizeof(struct gs_dyn) % 16 == 0, "dynamic blocks keep data aligned");

/* A block's bytes: header and data (at least one byte of data). */
static size_t block_bytes(size_t size)
{
    return sizeof(struct gs_dyn) + (size ? size : 1);
}

static void pop(struct gs_dyn **list)
{
    struct gs_dyn *d = *list;
    *list = d->next;
    gs_gcroots_remove(d, block_bytes(d->size));
    gs_mem_free(d);
}

void *gs_dyn_push(struct gs_dyn **list, size_t depth, size_t size)
{
    while (*list && (*list)->depth > depth)
        pop(list); /* blocks of frames deeper than the caller: they have returned */
    struct gs_dyn *d = gs_mem_malloc(block_bytes(size));
    if (!d)
        gs_fatal("out of memory for a %zu-byte variable-length array", size);
    d->depth = depth;
    d->size = size;
    gs_gcroots_add(d, block_bytes(size));
    d->next = *list;
    *list = d;
    gs_tls.stats.dyn_allocs++;
    return d + 1;
}

void gs_dyn_pop_to(struct gs_dyn **list, const struct gs_dyn *mark, size_t depth)
{
    while (*list && *list != mark && (*list)->depth >= depth)
        pop(list);
}

void gs_dyn_pop_from(struct gs_dyn **list, size_t depth)
{
    while (*list && (*list)->depth >= depth)
        pop(list);
}

void gs_dyn_free_all(struct gs_dyn **list)
{
    while (*list)
        pop(list);
}
