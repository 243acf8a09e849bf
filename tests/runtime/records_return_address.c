/* records_return_address - gs_records_find takes its pc as a return address
 * and answers for the call before it (protocol.md 5.4). A call to a noreturn
 * function can be the last instruction of a function: its return address is
 * then the next function's first byte, or the end of the module's text. The
 * frame walk must still see the caller, with the caller's flags: a pinned
 * caller taken for its unpinned neighbour would be moved, and one at the end
 * of the text taken for "not instrumented" would pin for nothing (found by
 * GCC's torture tests pr57144.c and call-trap-1.c under forced moves).
 *
 * A hand-made module: `first` at text+0 (pinned), `second` at text+16, the
 * text ending at text+32. */
#include <stdio.h>

#include "records.h"

static int failures;

static void expect(const char *what, int got, int want)
{
    if (got != want) {
        fprintf(stderr, "records_return_address: %s: got %d, want %d\n", what, got, want);
        failures++;
    }
}

static const char text[32];
static struct gs_record recs[2];

int main(void)
{
    recs[0].func = (int32_t)((intptr_t)&text[0] - (intptr_t)&recs[0].func);
    recs[0].flags = GS_REC_PINNED;
    recs[1].func = (int32_t)((intptr_t)&text[16] - (intptr_t)&recs[1].func);
    recs[1].flags = 0;
    struct gs_module m = {GS_MODULE_VERSION, 0, recs, recs + 2, text, text + 32, {0, 0}};
    gs_records_register(&m);

    struct gs_func_info fi = {0};
    /* A return address inside `first`. */
    expect("ra text+8 found", gs_records_find((uintptr_t)&text[8], &fi), 1);
    expect("ra text+8 is first", fi.start == (uintptr_t)&text[0], 1);
    /* The return address of a call that ends `first`: `second`'s first byte. */
    fi = (struct gs_func_info){0};
    expect("ra text+16 found", gs_records_find((uintptr_t)&text[16], &fi), 1);
    expect("ra text+16 is first", fi.start == (uintptr_t)&text[0], 1);
    expect("ra text+16 keeps first's pin", (fi.flags & GS_REC_PINNED) != 0, 1);
    /* Inside `second`. */
    fi = (struct gs_func_info){0};
    expect("ra text+17 found", gs_records_find((uintptr_t)&text[17], &fi), 1);
    expect("ra text+17 is second", fi.start == (uintptr_t)&text[16], 1);
    expect("ra text+17 not pinned", (fi.flags & GS_REC_PINNED) != 0, 0);
    /* The return address of a call that ends the text. */
    fi = (struct gs_func_info){0};
    expect("ra text+32 found", gs_records_find((uintptr_t)&text[32], &fi), 1);
    expect("ra text+32 is second", fi.start == (uintptr_t)&text[16], 1);
    /* A return address at the text's first byte follows a call outside it. */
    expect("ra text+0 not found", gs_records_find((uintptr_t)&text[0], &fi), 0);

    gs_records_unregister(&m);
    if (failures)
        return 1;
    printf("records_return_address: ok\n");
    return 0;
}
