/* libc_leaf_thunk - the thunk of a measured C library function
 * (arch/x86_64/gs_libc_leaves.h, docs/protocol.md 4.1a) runs glibc's malloc
 * on the coroutine stack exactly when the stack holds BYTES above the guard,
 * and never runs any other malloc there: not one interposed with LD_PRELOAD
 * (tests/e2e/libc_leaf_shim.c, registered as e2e.libc_leaf_thunk_preload.*),
 * not Valgrind's replacement (valgrind.libc_leaf_thunk.*), whose stack use
 * nobody measured.
 *
 * How a call is seen: probe() paints up to 1 KiB below its %rsp (never below
 * the end of the stack), calls malloc
 * through the thunk, and looks for overwritten bytes below the two return
 * addresses a call may push (the call's, and without the room the thunk's
 * call of __morestack_leaf). The trampoline writes nothing on the coroutine
 * stack for a call without stack arguments (protocol.md 4.2), so any write
 * there is malloc running on the coroutine stack. probe() runs at many
 * depths: in the growth modes some calls have the room and some do not.
 *
 * Expected:
 *  - glibc 2.36, nothing interposed: the runtime found libc's text
 *    (gs_libc_leaves_text_lo/hi, runtime/libc_leaves.h) and malloc's address lies in
 *    it; every call with room + 64 ran on the coroutine stack, every call
 *    with less than room - 64 that did not make the stack grow (the guard is
 *    the same after it: segmented mode, or no growth possible) did not, and
 *    at least one did; the calls that made it grow (contiguous and fixed
 *    mode, protocol.md 4.1a) are tests/e2e/libc_leaf_grow's subject;
 *  - interposed (the shim's counter exists) or under a Valgrind tool that
 *    replaces malloc (memcheck: its vgpreload_memcheck.so is loaded): no call
 *    ever ran on the coroutine stack (and the shim's malloc did run);
 *  - under a Valgrind tool that replaces nothing (callgrind, registered as
 *    callgrind.libc_leaf_thunk): as without Valgrind, glibc's malloc.
 */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <link.h>
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>

#include "e2e_paint.h"

struct obs {
    long room;           /* %rsp - guard at the call (LONG_MAX: guard 0) */
    int touched;         /* a byte below the return address changed */
    long deepest;        /* bytes below %rsp of the deepest changed byte */
    long grew;           /* the guard changed across the call: the thunk made
                            the stack grow (a move, a lower watermark) */
};


static void *sink_p;

__attribute__((noinline)) static void probe(void *arg)
{
    struct obs *o = arg;
    unsigned char *sp;
    uintptr_t guard;
    E2E_SP_GUARD(sp, guard);
    long len = paint_len(sp, guard);
    E2E_PAINT_BELOW_SP(len);
    /* Before the call: after a move sp is relocated and guard is not. */
    long room = room_of(sp, guard);
    __asm__ volatile("" : "+r"(room));
    void *p = malloc(40);
    uintptr_t guard_after;
    __asm__ volatile("movq %%fs:0x70, %0" : "=r"(guard_after));
    /* memcheck calls the bytes below %rsp undefined once %rsp is back up;
     * what they hold is the observation, and no register should carry an
     * "undefined" byte of it into a later __morestack (its relocation
     * compares every saved register). */
    VALGRIND_MAKE_MEM_DEFINED(sp - len, len);
    int touched = 0;
    long deepest = 0;
    for (volatile unsigned char *q = sp - len; q < sp - RET_ADDR; q++)
        if (*q != 0xa5 && !touched)
            touched = 1, deepest = (long)(sp - q);
    sink_p = p;
    free(p);
    o->room = room;
    o->touched = touched;
    o->deepest = deepest;
    o->grew = guard_after != guard;
}

struct tally {
    long direct, tramp, near, grew, wrong_direct, wrong_tramp, n;
    long worst_room, worst_n, worst_deepest;
    long max_room;
};

static int interposed;

/* A Valgrind tool's preload object other than vgpreload_core: the tool
 * replaces malloc (the runtime's rule, runtime/libc_leaves.c, checked here
 * from the outside). */
static int vg_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    const char *vg = info->dlpi_name ? strstr(info->dlpi_name, "/vgpreload_") : NULL;
    if (vg && strncmp(vg, "/vgpreload_core-", 16) != 0)
        *(int *)data = 1;
    return 0;
}

static void probe_and_count(void *arg)
{
    struct tally *t = arg;
    struct obs o;
    /* Reading below %rsp is the point: memcheck calls those bytes undefined
     * once %rsp has come back up; what probe() saw is defined for us. */
    VALGRIND_DISABLE_ERROR_REPORTING;
    probe(&o);
    VALGRIND_MAKE_MEM_DEFINED(&o, sizeof o);
    VALGRIND_ENABLE_ERROR_REPORTING;
    t->n++;
    if (o.room > t->max_room)
        t->max_room = o.room;
    const long bytes = leaf_bytes_malloc;
    if (o.grew && !interposed) {
        /* Too little room: the stack grew and malloc ran on it, or (forced
         * moves) it moved and the trampoline ran; painted bytes on a moved
         * stack say nothing. libc_leaf_grow checks these calls. */
        t->grew++;
    } else if (interposed) {
        if (o.touched) {
            t->wrong_direct++;
            t->worst_room = o.room, t->worst_n = t->n, t->worst_deepest = o.deepest;
        } else {
            t->tramp++;
        }
    } else if (o.room > bytes + 64) {
        if (o.touched)
            t->direct++;
        else
            t->wrong_tramp++, t->worst_room = o.room;
    } else if (o.room < bytes - 64) {
        if (o.touched)
            t->wrong_direct++, t->worst_room = o.room, t->worst_n = t->n, t->worst_deepest = o.deepest;
        else
            t->tramp++;
    } else {
        t->near++;
    }
}

int main(void)
{
    unsigned long *shim_mallocs = dlsym(RTLD_DEFAULT, "e2e_shim_mallocs");
    int valgrind = RUNNING_ON_VALGRIND != 0, replaced = 0;
    dl_iterate_phdr(vg_object, &replaced);
    E2E_CHECK_MSG(!replaced || valgrind, "a vgpreload object without Valgrind");
    /* callgrind.libc_leaf_thunk: the run must really be under a tool that
     * replaces nothing, or it would test the plain case again. */
    const char *expect = getenv("E2E_EXPECT_VALGRIND");
    if (expect)
        E2E_CHECK_MSG(strcmp(expect, "glibc-malloc") == 0 && valgrind && !replaced,
                      "E2E_EXPECT_VALGRIND=%s: valgrind %d, malloc replaced %d", expect, valgrind,
                      replaced);
    interposed = shim_mallocs != NULL || replaced;
    unsigned long shim_before = shim_mallocs ? *shim_mallocs : 0;

    /* The first call resolves the thunk's slot (pushing on the coroutine
     * stack): not in probe(). Through a global, or LLVM drops the pair. */
    sink_p = malloc(8);
    free(sink_p);

    uintptr_t m = (uintptr_t)&malloc;
    int in_libc = m >= gs_libc_leaves_text_lo && m < gs_libc_leaves_text_hi;
    int v236 = strcmp(gnu_get_libc_version(), GS_LIBC_LEAVES_VERSION) == 0;
    if (replaced)
        E2E_CHECK_MSG(gs_libc_leaves_text_lo == 0 && gs_libc_leaves_text_hi == 0,
                      "under a Valgrind tool that replaces malloc the runtime must not "
                      "trust libc's text");
    else
        E2E_CHECK_MSG((gs_libc_leaves_text_lo != 0) == v236,
                      "libc text %#lx-%#lx on glibc %s", (unsigned long)gs_libc_leaves_text_lo,
                      (unsigned long)gs_libc_leaves_text_hi, gnu_get_libc_version());
    E2E_CHECK_MSG(in_libc == (v236 && !interposed), "malloc at %#lx, libc text %#lx-%#lx",
                  (unsigned long)m, (unsigned long)gs_libc_leaves_text_lo,
                  (unsigned long)gs_libc_leaves_text_hi);
    if (!v236)
        interposed = 1; /* another glibc: the trampoline, always */

    struct tally t = {0};
    for (int rep = 0; rep < 3; rep++)
        e2e_at_depths(probe_and_count, &t);
    printf("libc_leaf_thunk: %ld calls: %ld on the coroutine stack, %ld through the "
           "trampoline, %ld within 64 bytes of BYTES, %ld made the stack grow (%s)\n",
           t.n, t.direct, t.tramp, t.near, t.grew,
           replaced   ? "valgrind, malloc replaced"
           : valgrind ? "valgrind, glibc's malloc"
           : shim_mallocs ? "LD_PRELOAD shim"
                          : "glibc");
    E2E_CHECK_MSG(t.wrong_direct == 0,
                  "%ld calls ran malloc on the coroutine stack without the room or "
                  "interposed (call %ld: room %ld, a write %ld bytes below %%rsp)",
                  t.wrong_direct, t.worst_n, t.worst_room, t.worst_deepest);
    E2E_CHECK_MSG(t.wrong_tramp == 0, "%ld calls with room %ld took the trampoline",
                  t.wrong_tramp, t.worst_room);
    if (interposed)
        E2E_CHECK(t.tramp > 0);
    else
        /* Segments of 2 KiB never hold BYTES above the guard. */
        E2E_CHECK_MSG(t.direct > 0 || t.max_room < leaf_bytes_malloc + 64,
                      "no call ran on the coroutine stack (most room %ld)", t.max_room);
    if (shim_mallocs)
        E2E_CHECK_MSG(*shim_mallocs >= shim_before + (unsigned long)t.n,
                      "the shim's malloc ran %lu times for %ld calls",
                      *shim_mallocs - shim_before, t.n);
    return e2e_done("libc_leaf_thunk");
}
