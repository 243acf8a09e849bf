/* gdb_side_locals - the program that e2e.gdb_side_locals runs under gdb (see
 * gdb_side_locals.cmake): gdb_side_holder's locals escape, so they live in its
 * side frame (docs/protocol.md 7); it then recurses, and under
 * GROWSTACK_FORCE_MOVE=1 the stack moves at every call. Stopped in
 * gdb_side_bottom, gdb must still print the holder's locals (their debug info
 * points through a moving-stack slot holding the side frame's base,
 * docs/plugin.md "Debug info") and its ordinary local. Run alone, it checks
 * its own result like any e2e program. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#define DEPTH 100

long *volatile gdb_side_seen;
char *volatile gdb_side_text;
static volatile long sink;

__attribute__((noinline)) void gdb_side_bottom(long depth)
{
    sink = depth; /* the breakpoint */
}

__attribute__((noinline)) static long gdb_side_descend(long depth)
{
    volatile char pad[64];
    pad[depth % 64] = (char)depth;
    if (depth == DEPTH) {
        gdb_side_bottom(depth);
        return depth;
    }
    return gdb_side_descend(depth + 1) + (pad[depth % 64] != (char)depth);
}

__attribute__((noinline)) static long gdb_side_holder(long seed)
{
    long side_x = seed * 2;                 /* escapes: a side local */
    char side_buf[16] = "side stack";       /* escapes: a side local */
    volatile long plain_y = seed + 1;       /* stays on the moving stack */
    gdb_side_seen = &side_x;
    gdb_side_text = side_buf;
    long r = gdb_side_descend(0);
    gdb_side_seen = 0;
    gdb_side_text = 0;
    return r + side_x + plain_y + side_buf[0];
}

int main(void)
{
    E2E_EQ_LONG(gdb_side_holder(2121), DEPTH + 4242 + 2122 + 's');
    return e2e_done("gdb_side_locals");
}
