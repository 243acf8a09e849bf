/* unwind.h - the frame at a return address, from the call-frame information
 * (.eh_frame) of the object that holds it: what contiguous mode's frame walk
 * needs to step from a frame to its caller's without frame pointers
 * (docs/protocol.md 5.3).
 *
 * Invariants:
 *  - gs_unwind_rule reads only the object's .eh_frame_hdr and .eh_frame, which
 *    the linker wrote and the loader mapped read-only; it never writes memory
 *    but *rule, allocates or locks. gs_unwind_hdr finds an object's
 *    .eh_frame_hdr once, with dl_iterate_phdr (the loader's lock).
 *  - A rule is returned only in the forms a walk can follow: the caller's
 *    canonical frame address (CFA, its %rsp before the call) is %rsp + k or
 *    %rbp + k at the return address, the return address itself lies at CFA - 8,
 *    and the caller's caller's %rbp is either unchanged or saved at CFA + k.
 *    Anything else (no table, no entry, a 64-bit entry, an expression, another
 *    register, a signal frame, a state stack deeper than GS_UNWIND_STATES) is
 *    "no rule" (0): the frame cannot be stepped over, and the walk pins.
 *  - Only the encodings this toolchain's linkers emit are read: a search table
 *    of datarel sdata4 pairs, entries whose addresses are absolute or pcrel
 *    (any of the integer forms). Others are "no rule".
 */
#ifndef GS_UNWIND_H
#define GS_UNWIND_H

#include <stdint.h>

struct gs_frame_rule {
    int32_t cfa_off;    /* CFA = base + cfa_off                                     */
    int16_t rbp_off;    /* the caller's %rbp is saved at CFA + rbp_off; 0: unchanged */
    uint8_t cfa_rbp;    /* base: 1 = %rbp at the return address, 0 = %rsp after the
                           return (the return address slot + 8)                    */
    uint8_t ok;         /* 1: a rule; 0: none (see above)                           */
};

/* The .eh_frame_hdr of the loaded object whose segments hold pc, or NULL. */
__attribute__((visibility("hidden"))) const uint8_t *gs_unwind_hdr(uintptr_t pc);

/* The rule of the frame suspended at return address ra, from hdr (the
 * object's .eh_frame_hdr). 1 and *rule, or 0 ("no rule"). */
__attribute__((visibility("hidden"))) int gs_unwind_rule(const uint8_t *hdr, uintptr_t ra,
                                                         struct gs_frame_rule *rule);

#endif
