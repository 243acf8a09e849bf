/* handmade.h - code that does by hand what the growstack plugin emits, for
 * runtime tests that must not depend on the plugin (docs/protocol.md 2, 7).
 *
 * A test using it is compiled by plain clang with -fsplit-stack (the same
 * prologue check as the plugin's "split-stack" attribute) and frame pointers,
 * and linked with -z now. Then:
 *  - HM_FN puts a function in growstack_text, where the runtime recognises
 *    instrumented code; HM_RECORD writes its version-2 record (protocol 2.1)
 *    with its name; HM_MODULE registers the test's records like the plugin's
 *    module constructor.
 *  - HM_SIDE_ENTER / HM_SIDE_EXIT / HM_SIDE_RESYNC are the side-frame prologue,
 *    epilogue and the restore after a returns_twice call (protocol 7.2);
 *    HM_JB_* maintain a jb node (7.3).
 * Code that runs on a coroutine may call only other HM_FN functions and the
 * allowlisted routines (memset, setjmp, longjmp, gs_yield, __gs_side_alloc,
 * gs_stack_resync): there are no thunks here, so anything else would run on
 * the small coroutine stack. Checks happen on the system stack (main).
 */
#ifndef HANDMADE_H
#define HANDMADE_H

#define _GNU_SOURCE 1
#include <stddef.h>
#include <stdint.h>

#include "records.h"
#include "side.h"

#define HM_FN __attribute__((section("growstack_text"), noinline, used))

/* One record: fn is the function's symbol (static functions keep their name
 * in the assembly), flags an integer constant expression of GS_REC_* values
 * spelled as a number. */
#define HM_RECORD(fn, flags)                                                     \
    __asm__(".pushsection gs_records,\"a\",@progbits\n"                          \
            ".p2align 3\n"                                                       \
            "0: .long " #fn " - 0b\n"                                            \
            "   .long " #flags "\n"                                              \
            "   .long .Lhm_name_" #fn " - (0b + 8)\n"                            \
            "   .long 0\n"                                                       \
            ".popsection\n"                                                      \
            ".pushsection .rodata.hm_names,\"a\",@progbits\n"                    \
            ".Lhm_name_" #fn ": .asciz \"" #fn "\"\n"                            \
            ".popsection\n")

/* Flags as numbers for HM_RECORD (records.h). */
#define HM_PLAIN 0
#define HM_SIDE 32          /* GS_REC_SIDE                  */
#define HM_SIDE_JMPBUF 96   /* GS_REC_SIDE | GS_REC_JMPBUF  */
#define HM_PINNED_ESCAPE 3  /* GS_REC_PINNED | GS_REC_ESCAPE */

#define HM_MODULE()                                                              \
    extern const struct gs_record __start_gs_records[] __attribute__((visibility("hidden"))); \
    extern const struct gs_record __stop_gs_records[] __attribute__((visibility("hidden")));  \
    extern const char __start_growstack_text[] __attribute__((visibility("hidden")));        \
    extern const char __stop_growstack_text[] __attribute__((visibility("hidden")));         \
    static struct gs_module hm_module = {GS_MODULE_VERSION, 0, __start_gs_records,            \
                                         __stop_gs_records, __start_growstack_text,           \
                                         __stop_growstack_text, {0, 0}};                      \
    __attribute__((constructor(101))) static void hm_register(void)                          \
    {                                                                                        \
        gs_records_register(&hm_module);                                                     \
    }

/* The side-frame prologue of protocol 7.2, for a frame of `size` bytes aligned
 * to `align`: declares hm_old_sp, hm_old_lim, hm_base, hm_lim_in. */
#define HM_SIDE_ENTER(size, align)                                                       \
    char *hm_old_sp = __gs_side.sp, *hm_old_lim = __gs_side.lim;                         \
    char *hm_base = (char *)(((uintptr_t)hm_old_sp - (size)) & -(uintptr_t)(align));     \
    if ((uintptr_t)hm_base < (uintptr_t)hm_old_lim || (uintptr_t)hm_base > (uintptr_t)hm_old_sp) \
        hm_base = __gs_side_alloc((size), (align));                                      \
    else                                                                                 \
        __gs_side.sp = hm_base;                                                          \
    char *hm_lim_in = __gs_side.lim;                                                     \
    (void)hm_lim_in

/* Before every return. */
#define HM_SIDE_EXIT() (__gs_side.sp = hm_old_sp, __gs_side.lim = hm_old_lim)

/* A jb node with up to 4 call sites: hm.buf overlays hm.h.buf[] (a GNU
 * extension, as is putting it inside the side frame's struct). */
#pragma clang diagnostic ignored "-Wgnu-variable-sized-type-not-at-end"
struct hm_jb_node {
    struct gs_jb_node h;
    void *buf[4];
};
_Static_assert(__builtin_offsetof(struct hm_jb_node, buf) ==
                   __builtin_offsetof(struct gs_jb_node, buf), "buf overlays");
#define HM_JB_ENTER(node, k)                                                     \
    do {                                                                         \
        (node)->h.prev = __gs_side.jb;                                           \
        (node)->h.count = (k);                                                   \
        for (int hm_i_ = 0; hm_i_ < (k); hm_i_++)                                \
            (node)->buf[hm_i_] = 0;                                              \
        __gs_side.jb = &(node)->h;                                               \
    } while (0)
#define HM_JB_EXIT(node) (__gs_side.jb = (node)->h.prev)
/* After a setjmp call site returned (either time): protocol 7.2 and 7.3, then
 * the stack resync of 5.6. */
#define HM_AFTER_SETJMP(node)                                                    \
    do {                                                                         \
        __gs_side.sp = hm_base;                                                  \
        __gs_side.lim = hm_lim_in;                                               \
        __gs_side.jb = &(node)->h;                                               \
        gs_stack_resync();                                                       \
    } while (0)

void gs_stack_resync(void);

#endif
