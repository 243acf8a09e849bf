/* overflow_reported - a recursion without end on a coroutine must end with
 * the runtime's report, not a bare SIGSEGV: with GROWSTACK_MAX=256k, in every
 * mode, the program aborts (SIGABRT) with
 *
 *   growstack: stack overflow in coroutine N (endless), mode <mode>: ...
 *
 * Registered through tests/run_expect.sh, once per configuration (and
 * contiguous mode also with pinned frames, which chain segments instead of
 * moving: "pinned" argument). Without an argument the frames are movable. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <growstack.h>

static volatile long stop_at = -1; /* never reached */

__attribute__((noinline)) static long endless(long depth)
{
    volatile char pad[64];
    pad[depth & 63] = (char)depth;
    if (depth == stop_at)
        return 0;
    return endless(depth + 1) + pad[depth & 63];
}

/* The address of a local is stored in a global: it escapes, the frame is
 * pinned in contiguous mode (just passing it to this static function would
 * not do: the compiler sees the callee only reads it). */
static long *volatile last_local;

__attribute__((noinline)) static long endless_pinned(long depth)
{
    volatile long mine = depth;
    last_local = (long *)&mine;
    if (depth == stop_at)
        return 0;
    return endless_pinned(depth + 1) + mine;
}

static void *body(void *arg)
{
    return (void *)(arg ? endless_pinned(0) : endless(0));
}

int main(int argc, char **argv)
{
    int pinned = argc > 1 && strcmp(argv[1], "pinned") == 0;
    struct gs_spawn_attr attr = {.name = "endless"};
    gs_handle h = gs_spawn_with(body, pinned ? (void *)1 : NULL, &attr);
    if (!h) {
        perror("gs_spawn");
        return 3;
    }
    gs_join(h, NULL);
    fprintf(stderr, "overflow_reported: the endless recursion returned\n");
    return 4;
}
