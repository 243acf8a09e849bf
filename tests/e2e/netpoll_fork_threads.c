/* netpoll_fork_threads - the poller across fork and threads (runtime/netpoll.c):
 *  - fork: the child gets an epoll set of its own (the parent's one is shared
 *    with it by fork). The child closes a pipe the parent's coroutine waits on,
 *    sleeps (parks) and serves a pipe of its own; the parent's coroutine must
 *    still get its data: had the child kept the parent's set, its close would
 *    have removed the parent's registration, and its sleep could have eaten
 *    the parent's event;
 *  - threads: each thread has its own scheduler and poller; four threads run
 *    their own echo traffic at once, parking in read/write; objects of one
 *    thread are refused by another (EXDEV). */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <growstack.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

static int pp[2];
static pid_t parent;

static void *parent_reader(void *arg)
{
    (void)arg;
    char b[8];
    ssize_t r = read(pp[0], b, sizeof b);
    if (getpid() != parent) { /* the child's copy: woken by its close */
        if (r != -1 || errno != EBADF)
            _exit(14);
        return NULL;
    }
    E2E_EQ_LONG(r, 5);
    E2E_CHECK(memcmp(b, "after", 5) == 0);
    return NULL;
}

static int q[2];
static void *child_reader(void *arg)
{
    (void)arg;
    char b[8];
    if (read(q[0], b, sizeof b) != 2 || memcmp(b, "ok", 2) != 0)
        _exit(11);
    return NULL;
}

static void forking(void)
{
    E2E_EQ_LONG(pipe(pp), 0);
    parent = getpid();
    gs_handle r = gs_spawn(parent_reader, NULL);
    gs_yield(); /* parked: pp[0] is in the parent's epoll set */
    pid_t pid = fork();
    E2E_CHECK(pid >= 0);
    if (pid == 0) {
        close(pp[0]); /* the child's copy of parent_reader gets EBADF */
        gs_sleep(30000000);
        if (pipe(q))
            _exit(12);
        gs_handle c = gs_spawn(child_reader, NULL);
        gs_yield();
        if (write(q[1], "ok", 2) != 2)
            _exit(13);
        gs_join(c, NULL);
        _exit(0);
    }
    /* The data comes while the child may be in epoll_wait. */
    E2E_EQ_LONG(write(pp[1], "after", 5), 5);
    int st;
    E2E_EQ_LONG(waitpid(pid, &st, 0), pid);
    E2E_CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
    E2E_EQ_LONG(gs_join(r, NULL), 0);
    close(pp[0]);
    close(pp[1]);
}

/* ---- threads --------------------------------------------------------------------- */

#define PER_THREAD 50
#define ROUNDS 20

static void *echo(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char b[64];
    ssize_t n;
    while ((n = read(fd, b, sizeof b)) > 0)
        E2E_EQ_LONG(write(fd, b, (size_t)n), n);
    close(fd);
    return NULL;
}

static void *talk(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char out[32], in[32];
    for (int r = 0; r < ROUNDS; r++) {
        int n = snprintf(out, sizeof out, "fd %d round %d", fd, r);
        E2E_EQ_LONG(write(fd, out, (size_t)n), n);
        size_t got = 0;
        while (got < (size_t)n) {
            ssize_t k = read(fd, in + got, (size_t)n - got);
            E2E_CHECK(k > 0);
            got += (size_t)k;
        }
        E2E_CHECK(memcmp(in, out, (size_t)n) == 0);
        if (r % 5 == 0)
            gs_sleep(100000);
    }
    close(fd);
    return NULL;
}

static struct gs_chan *main_chan;

static void *thread_main(void *arg)
{
    (void)arg;
    gs_handle h[PER_THREAD];
    for (int i = 0; i < PER_THREAD; i++) {
        int sp[2];
        E2E_EQ_LONG(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
        E2E_EQ_LONG(gs_detach(gs_spawn(echo, (void *)(intptr_t)sp[0])), 0);
        h[i] = gs_spawn(talk, (void *)(intptr_t)sp[1]);
    }
    for (int i = 0; i < PER_THREAD; i++)
        E2E_EQ_LONG(gs_join(h[i], NULL), 0);
    /* Another thread's objects. */
    long v = 0;
    E2E_EQ_LONG(gs_chan_send(main_chan, &v, GS_NOWAIT), EXDEV);
    E2E_EQ_LONG(gs_chan_close(main_chan), EXDEV);
    gs_sleep(1000000); /* the echo coroutines see EOF and finish */
    return NULL;
}

static void threads(void)
{
    main_chan = gs_chan_create(sizeof(long), 1);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        E2E_EQ_LONG(pthread_create(&t[i], NULL, thread_main, NULL), 0);
    for (int i = 0; i < 4; i++)
        E2E_EQ_LONG(pthread_join(t[i], NULL), 0);
    gs_chan_destroy(main_chan);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    forking();
    threads();
    return e2e_done("netpoll_fork_threads");
}
