/* pins.h - which frames pin coroutine stacks, and why (issue 10: "pins named").
 *
 * Contiguous mode does not move a stack with a live frame it cannot prove
 * movable (docs/protocol.md 5.4); it chains a segment instead and counts a pin.
 * This table says whose frame it was: the function (by the name in its record,
 * protocol 2.1) and the reason, or the return address of an unknown frame.
 *
 * Invariants:
 *  - One process-wide table. An entry is keyed by the function's start (or the
 *    unknown frame's return address); its name is copied when it is inserted,
 *    so it survives the module that named it; entries are never removed.
 *  - Counting takes no lock and no atomic operation on the table (per-thread
 *    tallies, below); inserting takes a mutex (once per function). Called on
 *    the system stack only.
 *  - When the table is full, further functions are counted under one "other
 *    functions" entry: the counts stay complete.
 */
#ifndef GS_PINS_H
#define GS_PINS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum gs_pin_reason {
    GS_PIN_ESCAPE = 1,   /* GS_REC_ESCAPE: an address escapes and was not sidable  */
    GS_PIN_SETJMP,       /* GS_REC_SETJMP: a returns_twice call (vfork, getcontext) */
    GS_PIN_X87,          /* GS_REC_X87: x87 long doubles in the frame              */
    GS_PIN_FLAGGED,      /* GS_REC_PINNED alone (-growstack-pin-all)                */
    GS_PIN_UNKNOWN,      /* a return address in no instrumented function            */
    GS_PIN_CHAIN,        /* the frame walk leaves the segment                       */
    GS_PIN_NOUNWIND,     /* no call-frame rule for the frame (unwind.h)             */
    GS_PIN_OTHER,        /* the table is full                                       */
};

struct gs_pin_site;

/* The reason a record's flags give (GS_PIN_ESCAPE ... GS_PIN_FLAGGED), or 0 if
 * the flags do not pin. */
__attribute__((visibility("hidden"))) unsigned gs_pins_reason_of(uint32_t flags);
__attribute__((visibility("hidden"))) const char *gs_pins_reason_name(unsigned reason);

/* The entry of (key, reason), inserted if new with `name` (NULL: dladdr's
 * answer for key, or the address). */
__attribute__((visibility("hidden"))) struct gs_pin_site *
gs_pins_site(uintptr_t key, unsigned reason, const char *name);

/* Counting is per thread: a hot split above a pinned frame counts a pin at
 * every call, and an atomic add on a shared line would be a good part of its
 * cost. A thread's tally holds the site it counted last and how many times;
 * it is added to the site when the thread counts another site, when it exits
 * (gs_pins_flush) and, without being reset, when the statistics are printed
 * (gs_pins_print reads every live thread's tally, like the other counters). */
struct gs_pin_tally {
    struct gs_pin_site *site;
    uint64_t n;
};

/* Add a tally to its site and empty it. */
__attribute__((visibility("hidden"))) void gs_pins_flush(struct gs_pin_tally *t);

/* Count one pin of site s in the calling thread's tally. */
static inline void gs_pins_count(struct gs_pin_tally *t, struct gs_pin_site *s)
{
    if (__builtin_expect(t->site != s, 0)) {
        gs_pins_flush(t);
        t->site = s;
    }
    t->n++;
}

/* The entry's reason (enum gs_pin_reason). */
__attribute__((visibility("hidden"))) unsigned gs_pins_reason(const struct gs_pin_site *s);

/* The entry's name as messages print it: "sqlite3Parser" or
 * "qsort+0x45 in /lib/x86_64-linux-gnu/libc.so.6". */
__attribute__((visibility("hidden"))) const char *gs_pins_name(const struct gs_pin_site *s);

/* GROWSTACK_STATS: the functions that pinned most, one line each; `live`
 * are the tallies of the threads still running (n of them). */
__attribute__((visibility("hidden"))) void gs_pins_print(FILE *out,
                                                         const struct gs_pin_tally *live,
                                                         size_t n);

#endif
