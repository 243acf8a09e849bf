/* gdb_backtrace_segments - the program that e2e.gdb_backtrace_segments runs
 * under gdb (see gdb_backtrace_segments.cmake): in segmented mode with 2 KiB
 * segments, gdb stops in gdb_bt_bottom() at recursion depth 200 (about a dozen
 * segments down, with a __morestack frame at each boundary) and its backtrace
 * must unwind through every boundary back to main. Run alone, it checks its
 * own result like any e2e program. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#define DEPTH 200

static volatile long sink;

__attribute__((noinline)) void gdb_bt_bottom(long depth)
{
    sink = depth; /* the breakpoint */
}

__attribute__((noinline)) static long gdb_bt_descend(long depth)
{
    volatile char pad[96];
    pad[depth % 96] = (char)depth;
    if (depth == DEPTH) {
        gdb_bt_bottom(depth);
        return depth;
    }
    return gdb_bt_descend(depth + 1) + (pad[depth % 96] != (char)depth);
}

int main(void)
{
    E2E_EQ_LONG(gdb_bt_descend(0), DEPTH);
    E2E_EQ_LONG(sink, DEPTH);
    return e2e_done("gdb_backtrace_segments");
}
