/* records.h - per-function records emitted by the plugin (docs/protocol.md 2.1).
 *
 * Invariants:
 *  - A module (executable or shared object) is registered by its own constructor
 *    before any of its code can run on a coroutine, and unregistered by its
 *    destructor; registering the same descriptor twice is a no-op.
 *  - gs_records_find(pc) answers only for pc inside a registered growstack_text
 *    range: an address outside every range is "not instrumented".
 *  - gs_text_ranges[] (read by __gs_tramp_icall without locks) only grows; a
 *    removed module's entry is emptied (lo = hi = 0), never reused concurrently.
 */
#ifndef GS_RECORDS_H
#define GS_RECORDS_H

#include <stdint.h>

#define GS_REC_PINNED    (1u << 0)
#define GS_REC_ESCAPE    (1u << 1)
#define GS_REC_SETJMP    (1u << 2)
#define GS_REC_DYNALLOCA (1u << 3)
#define GS_REC_X87       (1u << 4)
#define GS_REC_VASHELL   (1u << 7)   /* a variadic shell (protocol.md 2.2)  */

struct gs_record {
    int32_t func;        /* function address - address of this field */
    uint32_t flags;
};

struct gs_module {
    uint32_t version;    /* 1 */
    uint32_t reserved;
    const struct gs_record *rec_begin, *rec_end;
    const char *text_begin, *text_end;
    void *runtime_private[2];
};

/* Called by each instrumented module's constructor / destructor. */
void gs_records_register(struct gs_module *m);
void gs_records_unregister(struct gs_module *m);

struct gs_func_info {
    uintptr_t start;
    uint32_t flags;
};

/* The instrumented function containing pc; 0 (and *info untouched) if none. */
__attribute__((visibility("hidden"))) int gs_records_find(uintptr_t pc,
                                                          struct gs_func_info *info);

/* Whether pc lies in a registered growstack_text range. */
__attribute__((visibility("hidden"))) int gs_records_instrumented(uintptr_t pc);

#define GS_MAX_MODULES 256
struct gs_text_range {
    uintptr_t lo, hi;
};
/* Read by assembly: count, then `count` ranges. */
extern struct {
    uint64_t count;
    struct gs_text_range r[GS_MAX_MODULES];
} gs_text_ranges __attribute__((visibility("hidden")));

#endif
