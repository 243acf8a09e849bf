/* io_many_connections - transparent mode with many connections (runtime/io.c,
 * netpoll.c): one thread runs a TCP echo server written in the blocking style
 * (accept, read, write: a coroutine per connection) and its clients (connect,
 * write, read: a coroutine per connection, plus a reader and a writer on the
 * same socket for a message much larger than the socket buffers). Every
 * connection is established and parked at once before any data flows; every
 * byte is checked. Nothing here calls the runtime's I/O API: the C library
 * calls park. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <arpa/inet.h>
#include <growstack.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>

#define MAX_CONNS 2000
#define MESSAGES 4
#define BIG (512 * 1024)

static int conns;            /* how many the descriptor limit allows */
static int lfd, port;
static struct gs_wg established = GS_WG_INIT, go = GS_WG_INIT;
static long served;

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void *serve(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char buf[512];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        E2E_EQ_LONG(write_all(fd, buf, (size_t)n), 0);
    }
    close(fd);
    served++;
    return NULL;
}

static void *acceptor(void *arg)
{
    (void)arg;
    for (int i = 0; i < conns; i++) {
        int fd = accept(lfd, NULL, NULL);
        E2E_CHECK_MSG(fd >= 0, "accept: %s", strerror(errno));
        E2E_EQ_LONG(gs_detach(gs_spawn(serve, (void *)(intptr_t)fd)), 0);
    }
    return NULL;
}

static unsigned char pattern(long conn, long off)
{
    return (unsigned char)(conn * 131 + off * 7 + (off >> 9));
}

static int read_all(int fd, char *p, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static void *client(void *arg)
{
    long id = (long)arg;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    E2E_CHECK(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    E2E_CHECK_MSG(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0, "connect: %s",
                  strerror(errno));
    /* One exchange, then wait until every connection is up: all parked at once. */
    char msg[300], back[300];
    long off = 0;
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (char)pattern(id, off + (long)i);
    E2E_EQ_LONG(write_all(fd, msg, sizeof msg), 0);
    E2E_EQ_LONG(read_all(fd, back, sizeof back), 0);
    E2E_CHECK(memcmp(msg, back, sizeof msg) == 0);
    off += (long)sizeof msg;
    gs_wg_done(&established);
    E2E_EQ_LONG(gs_wg_wait(&go, GS_FOREVER), 0);
    for (int m = 0; m < MESSAGES; m++) {
        size_t len = (size_t)(1 + (id * 37 + m * 101) % 299);
        for (size_t i = 0; i < len; i++)
            msg[i] = (char)pattern(id, off + (long)i);
        E2E_EQ_LONG(write_all(fd, msg, len), 0);
        E2E_EQ_LONG(read_all(fd, back, len), 0);
        E2E_CHECK_MSG(memcmp(msg, back, len) == 0, "connection %ld message %d", id, m);
        off += (long)len;
    }
    close(fd);
    return NULL;
}

/* A message far larger than both sockets' buffers: a writer coroutine and a
 * reader coroutine on the same descriptor, each parking in its direction;
 * write() returns only when all of it is written, as a blocking write does. */
static int big_fd;
static char *big_out, *big_in;

static void *big_writer(void *arg)
{
    (void)arg;
    ssize_t w = write(big_fd, big_out, BIG);
    E2E_EQ_LONG(w, BIG);
    E2E_EQ_LONG(shutdown(big_fd, SHUT_WR), 0);
    return NULL;
}

static void *big_reader(void *arg)
{
    (void)arg;
    size_t got = 0;
    for (;;) {
        ssize_t r = read(big_fd, big_in + got, BIG + 1 - got);
        E2E_CHECK(r >= 0);
        if (r == 0)
            break;
        got += (size_t)r;
    }
    E2E_EQ_LONG(got, BIG);
    E2E_CHECK(memcmp(big_in, big_out, BIG) == 0);
    return NULL;
}

static void big_message(void)
{
    big_fd = socket(AF_INET, SOCK_STREAM, 0);
    int small = 8192;
    setsockopt(big_fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    setsockopt(big_fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    E2E_EQ_LONG(connect(big_fd, (struct sockaddr *)&sa, sizeof sa), 0);
    big_out = malloc(BIG);
    big_in = malloc(BIG + 1);
    for (long i = 0; i < BIG; i++)
        big_out[i] = (char)pattern(99999, i);
    gs_handle r = gs_spawn(big_reader, NULL), w = gs_spawn(big_writer, NULL);
    E2E_EQ_LONG(gs_join(w, NULL), 0);
    E2E_EQ_LONG(gs_join(r, NULL), 0);
    close(big_fd);
    free(big_out);
    free(big_in);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
    /* Both ends of every connection live in this process. */
    conns = (int)((rl.rlim_cur - 64) / 2);
    if (conns > MAX_CONNS)
        conns = MAX_CONNS;
    E2E_CHECK_MSG(conns >= 400, "RLIMIT_NOFILE %llu leaves room for %d connections",
                  (unsigned long long)rl.rlim_cur, conns);

    struct sockaddr_in sa;
    lfd = e2e_listen_loopback(4096, &sa);
    port = ntohs(sa.sin_port);
    int fl = fcntl(lfd, F_GETFL);

    gs_handle acc = gs_spawn(acceptor, NULL);
    gs_wg_add(&established, conns);
    gs_wg_add(&go, 1);
    gs_handle *h = calloc((size_t)conns, sizeof *h);
    for (long i = 0; i < conns; i++)
        h[i] = gs_spawn(client, (void *)i);
    E2E_EQ_LONG(gs_wg_wait(&established, GS_FOREVER), 0);
    E2E_EQ_LONG(gs_join(acc, NULL), 0);
    /* Every client and every server coroutine is parked now. */
    gs_wg_done(&go);
    for (long i = 0; i < conns; i++)
        E2E_EQ_LONG(gs_join(h[i], NULL), 0);
    while (served < conns)
        gs_sleep(1000000);
    E2E_EQ_LONG(served, conns);

    /* One more connection for the big message. */
    conns = 1;
    served = 0;
    acc = gs_spawn(acceptor, NULL);
    big_message();
    E2E_EQ_LONG(gs_join(acc, NULL), 0);
    while (served < 1)
        gs_sleep(1000000);
    /* The runtime never changed the listener's flags. */
    E2E_EQ_LONG(fcntl(lfd, F_GETFL), fl);
    close(lfd);
    free(h);
    printf("io_many_connections: %d connections\n", (int)((rl.rlim_cur - 64) / 2 < MAX_CONNS ? (rl.rlim_cur - 64) / 2 : MAX_CONNS));
    return e2e_done("io_many_connections");
}
