/* variadic_deep - a recursive variadic function 10 MB deep (1000 levels of
 * 10 KB, like GCC's split-3.c) grows the stack like any function: each level
 * is a variadic shell and an instrumented body (docs/protocol.md 2.2). The
 * levels alternate between this file and another object, so calls cross
 * objects too. Each level reads part of its variadic arguments (integers and
 * doubles, some of them passed on the stack), recurses, and reads the rest
 * afterwards, from the same va_list and from a va_copy: the va_list points into
 * the shell's register save area and the caller's stack arguments, which a
 * contiguous move copies and relocates (run under GROWSTACK_FORCE_MOVE too,
 * 100 levels there: every call copies the stack). In contiguous mode the
 * recursion moves the stack and pins nothing: the shells' frames are known to
 * the frame walk. The fixed configuration runs with GROWSTACK_MAX=64m. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#include "variadic_deep.h"

static int levels;

void vd_check(int i, long a, long b, long c, double x, double y, long d, long e, long f,
              long g, long h, double z, long last, long d2, int frame_ok)
{
    E2E_CHECK_MSG(a == 1 && b == 2 && c == 3 && x == 0.5 && y == 1.5 && d == 4 && e == 5 &&
                      f == 6 && g == 7 && h == 8 && z == 38.5 && last == i + 1 && d2 == 4,
                  "level %d: arguments %ld %ld %ld %g %g %ld %ld %ld %ld %ld %g %ld %ld", i, a, b,
                  c, x, y, d, e, f, g, h, z, last, d2);
    E2E_CHECK_MSG(frame_ok, "level %d: frame corrupted", i);
    levels++;
}

long vd_down(int i, ...)
{
    VD_LEVEL(i, i, lib_down);
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    int depth = m.forced ? 100 : 1000;
    struct gs_stats before = e2e_stats();
    long r = vd_down(depth, 1L, 2L, 3L, 0.5, 1.5, 4L, 5L, 6L, 7L, 8L, 2.5, 3.5, 4.5, 5.5, 6.5,
                     7.5, 8.5, (long)depth + 1);
    struct gs_stats d = e2e_stats_since(&before);
    e2e_print_growth("variadic_deep", &d);
    E2E_EQ_LONG(levels, depth + 1);
    E2E_EQ_LONG(r, (long)(depth + 1) * (depth + 2) / 2);
    if (m.segmented)
        E2E_CHECK(d.splits > 0);
    if (m.contiguous) {
        E2E_CHECK(d.moves > 0);
        E2E_EQ_LONG(d.pins, 0);
    }
    E2E_EQ_LONG(d.unknown_frames, 0);
    return e2e_done("variadic_deep");
}
