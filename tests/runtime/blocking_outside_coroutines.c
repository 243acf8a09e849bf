/* blocking_outside_coroutines - the blocking calls made on the thread's own
 * stack, outside coroutines, by a program not built with gscc (plain C linked
 * with the runtime): the thread runs its scheduler until the call can return
 * (runtime/wait.c, GS_WHERE_THREAD). gs_sleep sleeps and lets coroutines run; a
 * channel receive gets what a coroutine sends; gs_read waits for a coroutine's
 * write; a wait that nothing can ever end fails with EDEADLK instead of
 * hanging; gs_run runs until nothing is ready or pending (deadlines, descriptor
 * waits), then returns the number still alive. The coroutines are plain C too:
 * they run on fixed stacks and park through the same entry points. */
#include <errno.h>
#include <growstack.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int failures;
#define CHECK(c)                                                                  \
    do {                                                                          \
        if (!(c)) {                                                               \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #c);        \
            failures++;                                                           \
        }                                                                         \
    } while (0)

static struct gs_chan *ch;
static int sp[2];
static int ticks;

static void *sender(void *arg)
{
    long v = (long)arg;
    gs_sleep(2000000);
    CHECK(gs_chan_send(ch, &v, GS_FOREVER) == 0);
    return NULL;
}

static void *writer(void *arg)
{
    (void)arg;
    gs_sleep(2000000);
    CHECK(gs_write(sp[1], "hey", 3, GS_FOREVER) == 3);
    return NULL;
}

static void *ticker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++) {
        ticks++;
        gs_sleep(1000000);
    }
    return NULL;
}

int main(void)
{
    CHECK(!gs_in_coroutine());
    /* gs_sleep outside coroutines: the ticker runs meanwhile. Its five ticks
     * need 4 ms; the sleep leaves a wide margin, since a loaded machine may
     * deschedule the thread past both deadlines at once (then the sleep ends
     * before the ticker's next turn). */
    gs_handle t = gs_spawn(ticker, NULL);
    gs_time t0 = gs_now();
    CHECK(gs_sleep(200000000) == 0);
    CHECK(gs_now() - t0 >= 200000000);
    CHECK(ticks == 5);
    CHECK(gs_join(t, NULL) == 0);

    ch = gs_chan_create(sizeof(long), 0);
    gs_handle s = gs_spawn(sender, (void *)42L);
    long v = 0;
    CHECK(gs_chan_recv(ch, &v, GS_FOREVER) == 0);
    CHECK(v == 42);
    CHECK(gs_join(s, NULL) == 0);
    /* Nothing can ever send: EDEADLK, not a hang. */
    CHECK(gs_chan_recv(ch, &v, GS_FOREVER) == EDEADLK);
    CHECK(gs_chan_recv(ch, &v, gs_deadline_after(1000000)) == ETIMEDOUT);

    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
    gs_handle w = gs_spawn(writer, NULL);
    char b[8];
    CHECK(gs_read(sp[0], b, sizeof b, GS_FOREVER) == 3);
    CHECK(memcmp(b, "hey", 3) == 0);
    CHECK(gs_join(w, NULL) == 0);
    errno = 0;
    CHECK(gs_read(sp[0], b, sizeof b, gs_deadline_after(1000000)) == -1 && errno == ETIMEDOUT);
    CHECK(gs_wait_fd(sp[1], POLLOUT, GS_FOREVER) == POLLOUT);

    /* gs_run waits for the sleeping coroutines, then returns. */
    ticks = 0;
    gs_detach(gs_spawn(ticker, NULL));
    gs_detach(gs_spawn(ticker, NULL));
    CHECK(gs_run() == 0);
    CHECK(ticks == 10);
    /* A coroutine parked forever: gs_run returns, it is still alive. */
    gs_handle r = gs_spawn(sender, (void *)1L); /* sends on ch: nobody receives */
    CHECK(gs_run() == 1);
    CHECK(gs_done(r) == 0);
    CHECK(gs_chan_recv(ch, &v, GS_FOREVER) == 0 && v == 1);
    CHECK(gs_join(r, NULL) == 0);
    if (failures)
        return 1;
    printf("blocking_outside_coroutines: ok\n");
    return 0;
}
