/* block_in_callback_fatal - a qsort comparator (instrumented code called back
 * by uninstrumented qsort, on the system stack) that makes a blocking call of
 * the runtime: the coroutine cannot park there (its stack is not the one in
 * use), so the runtime stops the program with one line naming the call, the
 * callback and the external function (docs/netpoll.md), as for gs_yield:
 *
 *   growstack: gs_chan_recv called by cmp_block+0x.. on the system stack of
 *   thread 0, inside qsort (...); a coroutine can only block on its own stack
 *
 * With the argument "read", the comparator calls read() on an empty pipe
 * instead: transparent mode cannot park there either, so read() is the plain
 * call; the test gives the pipe a byte first, so it returns at once, and the
 * program exits 0. Registered through tests/run_expect.sh. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <growstack.h>

static struct gs_chan *c;
static int use_read, p[2], calls;

static int cmp_block(const void *a, const void *b)
{
    if (++calls == 3) {
        if (use_read) {
            char x;
            if (read(p[0], &x, 1) != 1 || x != 'z')
                exit(9);
        } else {
            long v;
            gs_chan_recv(c, &v, GS_FOREVER); /* fatal: never returns */
        }
    }
    return *(const int *)a - *(const int *)b;
}

static void *body(void *arg)
{
    (void)arg;
    int v[16];
    for (int i = 0; i < 16; i++)
        v[i] = (i * 7) % 16;
    qsort(v, 16, sizeof v[0], cmp_block);
    return NULL;
}

int main(int argc, char **argv)
{
    use_read = argc > 1 && strcmp(argv[1], "read") == 0;
    c = gs_chan_create(sizeof(long), 0);
    if (pipe(p) || write(p[1], "z", 1) != 1)
        return 3;
    gs_handle h = gs_spawn(body, NULL);
    gs_join(h, NULL);
    printf("sorted\n");
    return 0;
}
