/* vla_longjmp.c - variable-length arrays that did not fit below the guard come
 * from the heap (protocol.md 5.5); a longjmp that skips the frames holding them
 * must free them at its landing (before: a block of the skipped frame at the
 * depth where the next dive first allocates stayed alive, one per jump: 16 MB
 * over this test's 5,000 jumps, in every configuration but fixed, where the
 * VLAs fit on the stack), while the landing frame's own VLA, allocated before
 * its setjmp, stays intact. */
#include "e2e.h"

#include <growstack.h>
#include <malloc.h>
#include <setjmp.h>
#include <string.h>

static jmp_buf jb;
static char *volatile sink;

__attribute__((noinline)) static int dive(int d, int n)
{
    char vla[n];
    memset(vla, d, (size_t)n);
    sink = vla;
    if (d == 0)
        longjmp(jb, 1);
    return dive(d - 1, n) + vla[n - 1];
}

/* A frame with a VLA of its own around the setjmp. */
__attribute__((noinline)) static int land(int i)
{
    int n = 2500 + (i % 5) * 300;
    char own[n];
    memset(own, 0x5a, (size_t)n);
    sink = own;
    if (!setjmp(jb)) {
        dive(10 + i % 15, 3000 + (i % 7) * 100);
        return -1;
    }
    for (int k = 0; k < n; k += 97)
        if (own[k] != 0x5a)
            return -2;
    return 0;
}

/* Jumps whose landing frame has no VLA: the first frame of the next dive
 * allocates at the depth of the previous dive's first frame, so only the
 * landing's cleanup frees that block. */
__attribute__((noinline)) static void jumps(int i)
{
    if (!setjmp(jb))
        dive(5 + i % 20, 3000 + (i % 7) * 100);
}

static void *run(void *arg)
{
    (void)arg;
    for (int i = 0; i < 200; i++) /* warm-up: malloc's own caches */
        jumps(i);
    size_t before = mallinfo2().uordblks;
    for (int i = 0; i < 5000; i++)
        jumps(i);
    size_t after = mallinfo2().uordblks;
    E2E_CHECK_MSG(after < before + (256 << 10),
                  "heap in use grew by %zu bytes over 5,000 jumps", after - before);
    for (int i = 0; i < 1000; i++)
        E2E_EQ_LONG(land(i), 0);
    return NULL;
}

int main(void)
{
    run(NULL); /* main's coroutine */
    gs_handle h = gs_spawn(run, NULL);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    return e2e_done("vla_longjmp");
}
