/* shared_lib_export_list - a gscc-built executable calling a gscc-built shared
 * library whose export list hides the __gs_x.* aliases (docs/protocol.md 4.1):
 * a version script (`local: *`, as zlib's zlib.map and libtool's
 * -export-symbols-regex make) or -fvisibility=hidden. The executable's calls
 * then cannot bind to the aliases; they go through its thunks, which must find
 * at their first call that the target is instrumented code (it lies in the
 * library's registered growstack_text) and jump there directly. So the
 * library's recursion runs on the coroutine stack, and grows it:
 *
 *   - the deepest frame's local is not on the thread's own stack,
 *   - in segmented and contiguous mode the call grew the coroutine stack,
 *   - the recursion (calls between exported functions of the library) gives
 *     the right result at every depth.
 *
 * Built twice (CMakeLists.txt): shared_lib_export_list_map against the library
 * linked with the version script, shared_lib_export_list_hidden against the
 * one built with -fvisibility=hidden. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"
#include "shared_lib_export_list.h"

#include <pthread.h>

#define DEPTH 20000 /* about 2.5 MiB of the library's frames */

int main(void)
{
    pthread_attr_t a;
    void *sys_lo;
    size_t sys_size;
    E2E_EQ_LONG(pthread_getattr_np(pthread_self(), &a), 0);
    E2E_EQ_LONG(pthread_attr_getstack(&a, &sys_lo, &sys_size), 0);
    pthread_attr_destroy(&a);
    uintptr_t lo = (uintptr_t)sys_lo, hi = lo + sys_size;

    struct e2e_cfg cfg = e2e_cfg();
    struct gs_stats before = e2e_stats();
    uintptr_t deepest = xl_descend(DEPTH);
    struct gs_stats d = e2e_stats_since(&before);

    E2E_CHECK_MSG(deepest != 0, "a frame of the library's recursion was corrupted");
    E2E_CHECK_MSG(deepest < lo || deepest >= hi,
                  "the library's deepest frame (%#lx) is on the thread's own stack [%#lx, %#lx): "
                  "the call into the library took the system-stack trampoline",
                  (unsigned long)deepest, (unsigned long)lo, (unsigned long)hi);
    if (!cfg.fixed)
        E2E_CHECK_MSG(d.splits + d.moves > 0,
                      "the library's recursion did not grow the coroutine stack "
                      "(splits %llu, moves %llu)",
                      (unsigned long long)d.splits, (unsigned long long)d.moves);
    E2E_CHECK(xl_step(10) != 0);
    return e2e_done("shared_lib_export_list");
}
