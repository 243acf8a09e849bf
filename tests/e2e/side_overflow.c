/* side_overflow - a recursion without end whose frames have escaping locals
 * (side frames, docs/protocol.md 7) ends in the runtime's report at
 * GROWSTACK_MAX, in every mode: with 1 KiB side locals and small stack frames
 * the side stack reaches the limit first, and the report names it:
 *
 *   growstack: side stack overflow in coroutine N (side-endless), mode M: ...
 *
 * Registered through tests/run_expect.sh, once per configuration, with
 * GROWSTACK_MAX=256k. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <growstack.h>

static char *volatile sink;
static volatile long stop_at = -1; /* never reached */

__attribute__((noinline)) static long endless(long depth)
{
    char big[1024]; /* escapes: a side frame of 1 KiB per level */
    big[depth & 1023] = (char)depth;
    sink = big;
    if (depth == stop_at)
        return 0;
    return endless(depth + 1) + sink[depth & 1023];
}

static void *body(void *arg)
{
    (void)arg;
    return (void *)endless(0);
}

int main(void)
{
    struct gs_spawn_attr attr = {.name = "side-endless"};
    gs_handle h = gs_spawn_with(body, NULL, &attr);
    if (!h) {
        perror("gs_spawn");
        return 3;
    }
    gs_join(h, NULL);
    fprintf(stderr, "side_overflow: the endless recursion returned\n");
    return 4;
}
