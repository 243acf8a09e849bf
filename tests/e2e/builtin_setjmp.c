/* builtin_setjmp.c - GCC's __builtin_setjmp / __builtin_longjmp on a growing
 * stack (protocol.md 5.6). clang emits them as llvm.eh.sjlj.setjmp/longjmp: an
 * intrinsic without the returns_twice attribute, which the plugin must still
 * treat as one (a resync after its second return, the frame pinned). A
 * __builtin_longjmp from deep recursion lands on an older segment or a smaller
 * stack than the guard describes; the recursion after it must grow again and
 * compute right, at many depths. */
#include "e2e.h"

#include <growstack.h>

static void *jb[5];

__attribute__((noinline)) static long dive(int d, int jump_at)
{
    volatile char pad[200];
    pad[d & 7] = (char)d;
    if (d == jump_at)
        __builtin_longjmp(jb, 1);
    if (d == 0)
        return 1;
    return dive(d - 1, jump_at) + (pad[d & 7] == (char)d);
}

__attribute__((noinline)) static int jump_from(int depth)
{
    if (__builtin_setjmp(jb) == 0) {
        dive(depth, 0); /* jumps back from the bottom */
        return -1;
    }
    /* After the jump: the same frame, maybe another segment below it. */
    long again = dive(depth, -1);
    return again == depth + 1 ? depth : -2;
}

static void *body(void *arg)
{
    (void)arg;
    static const int depths[] = {1, 5, 20, 60, 200, 700, 3000};
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < sizeof depths / sizeof depths[0]; i++)
            E2E_EQ_LONG(jump_from(depths[i]), depths[i]);
    return NULL;
}

int main(void)
{
    gs_handle h = gs_spawn(body, NULL);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    body(NULL); /* and on main's own coroutine */
    return e2e_done("builtin_setjmp");
}
