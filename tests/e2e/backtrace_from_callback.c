/* backtrace_from_callback - unwinding from a callback on the system stack back
 * through the trampoline into the coroutine's frames (docs/protocol.md 4.2,
 * docs/usage.md "Debugging").
 *
 * bt_descend() recurses DEPTH frames deep (crossing segment boundaries in the
 * segmented modes and moving the stack in the contiguous ones), then bt_sort
 * calls qsort, which runs on the system stack through __gs_tramp; qsort calls the
 * comparator bt_compare there. From inside the comparator:
 *
 *   - without arguments, backtrace(3) (libgcc's unwinder, reading the same CFI
 *     as gdb) must walk from the comparator through qsort and the trampoline to
 *     all DEPTH + 1 bt_descend frames and to main; the program checks that
 *     itself, in every configuration;
 *   - with the argument "abort", the comparator calls abort(), and
 *     e2e.gdb_backtrace_callback.* (gdb_backtrace_callback.cmake) checks gdb's
 *     `bt` at the SIGABRT: the same frames, and no "Backtrace stopped".
 *
 * Each return address is mapped to the function containing it with
 * _Unwind_FindEnclosingFunction (the FDE's start), so no symbol table is
 * needed. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <execinfo.h>
#include <unwind.h>

#define DEPTH 200
#define MAX_FRAMES 1024

static volatile long sink;
static int abort_in_callback;
static int checked;

long bt_descend(long depth);
int main(int argc, char **argv);
void __morestack(void);

__attribute__((noinline)) static void bt_check(void)
{
    void *pcs[MAX_FRAMES];
    int n = backtrace(pcs, MAX_FRAMES);
    int descend = 0, mains = 0, boundaries = 0, first_descend = -1;
    for (int i = 0; i < n; i++) {
        /* A return address may be the first byte after its function (a call
         * at the end): look up the byte before, inside the call. */
        void *f = _Unwind_FindEnclosingFunction((char *)pcs[i] - 1);
        if (f == (void *)bt_descend) {
            if (first_descend < 0)
                first_descend = i;
            descend++;
        } else if (f == (void *)main) {
            mains++;
        } else if (f == (void *)__morestack) {
            boundaries++;
        }
    }
    E2E_CHECK_MSG(n < MAX_FRAMES, "backtrace filled all %d slots", n);
    /* Each segment boundary adds a __morestack frame and a return into
     * bt_descend's alloc block (protocol.md 5.2). */
    E2E_CHECK_MSG(descend == DEPTH + 1 + boundaries,
                  "backtrace(3) from the comparator saw %d bt_descend frames, want %d + %d "
                  "boundaries (%d frames)",
                  descend, DEPTH + 1, boundaries, n);
    /* comparator, qsort's frames, __gs_tramp, then the coroutine's frames */
    E2E_CHECK_MSG(first_descend >= 3, "bt_descend at frame %d", first_descend);
    E2E_CHECK_MSG(mains == 1, "backtrace(3) from the comparator does not reach main (%d frames)",
                  n);
    checked++;
}

__attribute__((noinline)) static int bt_compare(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    if (!checked) {
        if (abort_in_callback)
            abort(); /* gdb takes the backtrace here */
        bt_check();
    }
    return (x > y) - (x < y);
}

/* Its own frame: the array qsort sorts escapes, which pins this frame in
 * contiguous mode; bt_descend's frames stay movable. */
__attribute__((noinline)) static void bt_sort(void)
{
    int v[8] = {5, 3, 7, 1, 8, 2, 6, 4};
    qsort(v, 8, sizeof v[0], bt_compare);
    for (int i = 0; i < 8; i++)
        E2E_EQ_LONG(v[i], i + 1);
}

__attribute__((noinline)) long bt_descend(long depth)
{
    volatile char pad[96];
    pad[depth % 96] = (char)depth;
    if (depth == DEPTH) {
        bt_sort();
        sink = depth;
        return depth;
    }
    return bt_descend(depth + 1) + (pad[depth % 96] != (char)depth);
}

int main(int argc, char **argv)
{
    abort_in_callback = argc > 1 && strcmp(argv[1], "abort") == 0;
    E2E_EQ_LONG(bt_descend(0), DEPTH);
    E2E_EQ_LONG(checked, 1);
    return e2e_done("backtrace_from_callback");
}
