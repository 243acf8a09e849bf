/* io_socket_timeouts - transparent mode honours a socket's SO_RCVTIMEO and
 * SO_SNDTIMEO (docs/netpoll.md, "Transparent mode"; runtime/io.c,
 * sock_timeout) as the kernel does for a blocking call: a read, recv or accept
 * that waits longer returns -1/EAGAIN, or what it had received already
 * (MSG_WAITALL); a write that waits longer returns what went, or -1/EAGAIN;
 * a signal handler ends such a call even with SA_RESTART (signal(7): calls on
 * a socket with a timeout are never restarted). Meanwhile the thread keeps
 * running other coroutines. The runtime before this test parked such calls
 * until the socket was ready: forever, here. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <arpa/inet.h>
#include <growstack.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>

#define MS 1000000LL

static void set_timeout(int fd, int opt, long ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    E2E_EQ_LONG(setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv), 0);
}

static gs_time since(gs_time t0)
{
    return gs_now() - t0;
}

/* The call took at least the timeout, and not much more. */
#define E2E_TOOK(t0, ms)                                                                   \
    do {                                                                                   \
        gs_time e2e_d_ = since(t0);                                                        \
        E2E_CHECK_MSG(e2e_d_ >= (ms) * MS && e2e_d_ < (ms) * MS + 5000 * MS,               \
                      "took %lld ms, timeout %d ms", (long long)(e2e_d_ / MS), (int)(ms)); \
    } while (0)

static void reads(void)
{
    int sv[2];
    char buf[64];
    E2E_EQ_LONG(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    set_timeout(sv[0], SO_RCVTIMEO, 100);

    gs_time t0 = gs_now();
    errno = 0;
    E2E_EQ_LONG(read(sv[0], buf, sizeof buf), -1);
    E2E_CHECK(errno == EAGAIN || errno == EWOULDBLOCK);
    E2E_TOOK(t0, 100);

    t0 = gs_now();
    errno = 0;
    E2E_EQ_LONG(recv(sv[0], buf, sizeof buf, 0), -1);
    E2E_CHECK(errno == EAGAIN);
    E2E_TOOK(t0, 100);

    /* MSG_WAITALL: what came before the timeout. */
    E2E_EQ_LONG(write(sv[1], "abc", 3), 3);
    t0 = gs_now();
    E2E_EQ_LONG(recv(sv[0], buf, 10, MSG_WAITALL), 3);
    E2E_TOOK(t0, 100);

    /* Data in time: no error. */
    E2E_EQ_LONG(write(sv[1], "d", 1), 1);
    E2E_EQ_LONG(read(sv[0], buf, sizeof buf), 1);

    close(sv[0]);
    close(sv[1]);
}

static void writes(void)
{
    int sv[2];
    E2E_EQ_LONG(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    set_timeout(sv[0], SO_SNDTIMEO, 100);
    size_t big = 8 << 20;
    char *data = calloc(1, big);
    E2E_CHECK(data != NULL);
    gs_time t0 = gs_now();
    ssize_t w = write(sv[0], data, big);
    E2E_CHECK_MSG(w > 0 && (size_t)w < big, "write returned %zd", w);
    E2E_TOOK(t0, 100);
    /* The buffer is full: nothing goes. */
    t0 = gs_now();
    errno = 0;
    E2E_EQ_LONG(send(sv[0], data, 4096, 0), -1);
    E2E_EQ_LONG(errno, EAGAIN);
    E2E_TOOK(t0, 100);
    free(data);
    close(sv[0]);
    close(sv[1]);
}

static void accepts(void)
{
    int l = e2e_listen_loopback(4, NULL);
    set_timeout(l, SO_RCVTIMEO, 100);
    gs_time t0 = gs_now();
    errno = 0;
    E2E_EQ_LONG(accept(l, NULL, NULL), -1);
    E2E_EQ_LONG(errno, EAGAIN);
    E2E_TOOK(t0, 100);
    close(l);
}

static volatile sig_atomic_t caught;
static void on_alarm(int sig)
{
    (void)sig;
    caught++;
}

/* With a timeout set, SA_RESTART does not restart the call. */
static void signals(void)
{
    int sv[2];
    char c;
    E2E_EQ_LONG(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    set_timeout(sv[0], SO_RCVTIMEO, 10000);
    e2e_handle(SIGALRM, on_alarm, SA_RESTART);
    struct itimerval it = {{0, 0}, {0, 50000}};
    caught = 0;
    E2E_EQ_LONG(setitimer(ITIMER_REAL, &it, NULL), 0);
    gs_time t0 = gs_now();
    errno = 0;
    E2E_EQ_LONG(read(sv[0], &c, 1), -1);
    E2E_EQ_LONG(errno, EINTR);
    E2E_EQ_LONG(caught, 1);
    E2E_CHECK(since(t0) < 5000 * MS);
    close(sv[0]);
    close(sv[1]);
}

/* Two coroutines time out while a third runs. */
static int pair[2][2];
static int ticks;
static void *reader(void *arg)
{
    long k = (long)arg;
    char c;
    errno = 0;
    long r = read(pair[k][0], &c, 1);
    E2E_EQ_LONG(r, -1);
    E2E_EQ_LONG(errno, EAGAIN);
    return NULL;
}

static void *ticker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 10; i++) {
        E2E_EQ_LONG(usleep(10000), 0);
        ticks++;
    }
    return NULL;
}

static void coroutines(void)
{
    for (int k = 0; k < 2; k++) {
        E2E_EQ_LONG(socketpair(AF_UNIX, SOCK_STREAM, 0, pair[k]), 0);
        set_timeout(pair[k][0], SO_RCVTIMEO, 200 + 100 * k);
    }
    gs_time t0 = gs_now();
    gs_handle h[3] = {gs_spawn(reader, (void *)0L), gs_spawn(reader, (void *)1L),
                      gs_spawn(ticker, NULL)};
    for (int i = 0; i < 3; i++)
        E2E_EQ_LONG(gs_join(h[i], NULL), 0);
    E2E_TOOK(t0, 300);
    E2E_EQ_LONG(ticks, 10);
    for (int k = 0; k < 2; k++) {
        close(pair[k][0]);
        close(pair[k][1]);
    }
}

static void all(void *arg)
{
    (void)arg;
    reads();
    writes();
    accepts();
    signals();
    ticks = 0;
    coroutines();
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    all(NULL);
    e2e_descend(2000, all, NULL); /* where the stack has grown (moved, chained) */
    return e2e_done("io_socket_timeouts");
}
