/* parked_at_exit - the leak check (runtime/wait.c): main returns while
 * coroutines are still parked in blocking calls (a read of a pipe nobody
 * writes, a receive on a channel nobody sends on, an hour-long sleep). The
 * runtime reports each of them on stderr at exit, with what it waits for; the
 * exit status is main's. With the argument "deadlock", main itself waits on a
 * channel nobody will ever send on, and nothing else can run or is pending: the
 * runtime reports the deadlock with the list of parked coroutines and aborts. Run through
 * tests/run_expect.sh (the expected lines are in CMakeLists.txt). */
#include <growstack.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int p[2];
static struct gs_chan *c;

static void *reads(void *arg)
{
    (void)arg;
    char b;
    read(p[0], &b, 1);
    return NULL;
}

static void *receives(void *arg)
{
    (void)arg;
    long v;
    gs_chan_recv(c, &v, GS_FOREVER);
    return NULL;
}

static void *sleeps(void *arg)
{
    (void)arg;
    gs_sleep(3600LL * 1000000000);
    return NULL;
}

int main(int argc, char **argv)
{
    int deadlock = argc > 1 && strcmp(argv[1], "deadlock") == 0;
    if (pipe(p))
        return 3;
    c = gs_chan_create(sizeof(long), 0);
    struct gs_spawn_attr a = {.name = "receiver"};
    gs_detach(gs_spawn_with(receives, NULL, &a));
    if (!deadlock) {
        a.name = "reader";
        gs_detach(gs_spawn_with(reads, NULL, &a));
        a.name = "sleeper";
        gs_detach(gs_spawn_with(sleeps, NULL, &a));
    }
    gs_yield(); /* they park */
    if (deadlock) {
        /* Nothing is ready, no deadline or descriptor is pending: nothing can
         * ever send on c. */
        long v;
        return gs_chan_recv(c, &v, GS_FOREVER);
    }
    printf("main returns 7\n");
    return 7;
}
