/* records.h - per-function records emitted by the plugin (docs/protocol.md 2.1).
 *
 * Invariants:
 *  - A module (executable or shared object) is registered by its own constructor
 *    before any of its code can run on a coroutine, and unregistered by its
 *    destructor; registering the same descriptor twice is a no-op. Only module
 *    version GS_MODULE_VERSION is accepted: anything else is a fatal error asking
 *    for a rebuild.
 *  - gs_records_find(pc) takes pc as a return address and answers for the call
 *    at pc - 1, only inside a registered growstack_text range: an address
 *    outside every range is "not instrumented". Its answer
 *    includes the frame rule at pc (unwind.h), read from the call-frame
 *    information of the module, whose .eh_frame_hdr is found once, when the
 *    module registers.
 *  - The runtime never writes a descriptor's text_begin and text_end: every
 *    indirect call of the module's instrumented code reads them, without locks,
 *    to decide whether its target is instrumented (protocol.md 4, item 3).
 *  - gs_text_ranges[] (read by __gs_tramp_icall without locks) only grows; a
 *    removed module's entry is emptied (lo = hi = 0), never reused concurrently.
 *  - Every change of the registry increments its generation. gs_records_find
 *    answers from a per-thread cache of copies (never pointers into a module's
 *    tables) that is emptied whenever the generation it was filled under is no
 *    longer current, so a frame walk takes the registry's lock only on a miss.
 *    A name in an answer points into the module's read-only data: valid while
 *    the module is loaded, which it is while any of its frames is live.
 */
#ifndef GS_RECORDS_H
#define GS_RECORDS_H

#include <stdint.h>

#include "unwind.h"

#define GS_REC_PINNED    (1u << 0)  /* a live frame must never be moved              */
#define GS_REC_ESCAPE    (1u << 1)  /* why pinned: an address escapes (not sidable)   */
#define GS_REC_SETJMP    (1u << 2)  /* why pinned: a returns_twice call (not setjmp)  */
#define GS_REC_DYNALLOCA (1u << 3)  /* has VLAs / alloca                              */
#define GS_REC_X87       (1u << 4)  /* why pinned: x87 long doubles in the frame      */
#define GS_REC_SIDE      (1u << 5)  /* has a side frame (protocol.md 7); informational */
#define GS_REC_JMPBUF    (1u << 6)  /* registers setjmp buffers (7.3); informational  */
#define GS_REC_VASHELL   (1u << 7)  /* a variadic shell (protocol.md 2.2): no check   */

#define GS_MODULE_VERSION 2

struct gs_record {
    int32_t func;        /* function address - address of this field              */
    uint32_t flags;      /* GS_REC_*                                               */
    int32_t name;        /* name (NUL-terminated) - address of this field, or 0    */
    uint32_t reserved;   /* 0                                                      */
};
_Static_assert(sizeof(struct gs_record) == 16, "protocol.md 2.1: records are 16 bytes");

struct gs_module {
    uint32_t version;    /* GS_MODULE_VERSION */
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
    const char *name;    /* from the record, or NULL (the plugin names pinned ones) */
    uint32_t flags;
    struct gs_frame_rule frame; /* gs_records_find: the frame suspended at pc as a
                                   return address (unwind.h); .ok 0 if the module's
                                   call-frame information has no rule for it     */
};

/* For pc a return address: the instrumented function that holds the call
 * (the one containing pc - 1: after a call to a noreturn function pc may be
 * the next function's first byte, or the end of the text), and the rule of a
 * frame suspended at pc; 0 (and *info untouched) if none. Runs on the system
 * stack (it may allocate the calling thread's cache). */
__attribute__((visibility("hidden"))) int gs_records_find(uintptr_t pc,
                                                          struct gs_func_info *info);

/* The name in the record of the function containing pc, or NULL; without the
 * lock and without the cache, for fatal paths that may run in a signal
 * handler (racy only against a module being loaded or unloaded). */
__attribute__((visibility("hidden"))) const char *gs_records_name_nolock(uintptr_t pc);

/* Whether pc lies in a registered growstack_text range. */
__attribute__((visibility("hidden"))) int gs_records_instrumented(uintptr_t pc);

/* Free the calling thread's lookup cache (thread exit). */
__attribute__((visibility("hidden"))) void gs_records_thread_exit(void);

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
