/* io_stack_moves - a coroutine parked in a blocking call whose buffers are
 * locals on its own (moving) stack (docs/netpoll.md, "The parking frame"):
 * read(), readv() (an iovec array on the stack pointing at stack buffers),
 * recvfrom() (the address and its length on the stack), poll() (the pollfd
 * array), nanosleep() (the timespec), gs_read() and gs_recv(). The plugin keeps
 * those locals on the moving stack (the C library keeps no pointer to them:
 * docs/plugin.md), so the runtime must find them after the stack moved while
 * the coroutine was parked:
 *   - contiguous mode: the coroutine first grew its stack deep and came back
 *     up; the scheduler shrinks it at the park (the statistics must show a
 *     shrink during every park);
 *   - contiguous mode with GROWSTACK_FORCE_MOVE=1: every park moves the stack
 *     to a new block (moves during every park), and GROWSTACK_POISON=1 fills
 *     the old one with garbage;
 *   - fixed and segmented modes: nothing moves; the results must be the same.
 * In every case the data must arrive in the moved buffers, the locals around
 * them must be intact, and the frame walk must have understood the parking
 * frame (no unknown frame, no pin). */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#include <arpa/inet.h>
#include <growstack.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#define DEEP 4000
#define DEEP_FORCED 300

static int sfd[2];                 /* stream: the mover reads sfd[0]          */
static int ufd, usrc;              /* datagrams to ufd from usrc               */
static struct sockaddr_in uaddr;
static struct gs_chan *parked_ch;  /* "about to park"                         */
static long depth;
static int calls_done;

__attribute__((noinline)) static long deep(long n)
{
    volatile char pad[64];
    const int ix = (int)(n & 7); /* not constant: the array stays whole */
    pad[ix] = (char)n;
    if (n == 0)
        return pad[ix];
    return deep(n - 1) + pad[ix] - (char)n;
}

/* Grow the stack, come back up, yield as many times as the shrink hysteresis
 * asks (GS_SHRINK_QUIET_RUNS in grow.c: a stack shrinks from the fourth resume
 * after it grew, not before), tell main we are about to park, and yield once
 * more so that main reads the statistics before the park. */
static void prepare(void)
{
    E2E_EQ_LONG(deep(depth), 0);
    for (int i = 0; i < 3; i++)
        gs_yield();
    int one = 1;
    E2E_EQ_LONG(gs_chan_send(parked_ch, &one, GS_FOREVER), 0);
    gs_yield();
}

#define FILL(buf, n, seed)                                                        \
    for (size_t i_ = 0; i_ < (n); i_++)                                           \
        (buf)[i_] = (char)((seed) + i_ * 3)

#define CHECK_FILL(buf, n, seed)                                                  \
    for (size_t i_ = 0; i_ < (n); i_++)                                           \
        E2E_CHECK_MSG((buf)[i_] == (char)((seed) + i_ * 3), "%s byte %zu", #buf, i_)

__attribute__((noinline)) static void park_in_read(void)
{
    volatile long canary1 = 0x1111;
    char buf[700];
    volatile long canary2 = 0x2222;
    memset(buf, 0, sizeof buf);
    prepare();
    E2E_EQ_LONG(read(sfd[0], buf, sizeof buf), sizeof buf);
    CHECK_FILL(buf, sizeof buf, 1);
    E2E_EQ_LONG(canary1, 0x1111);
    E2E_EQ_LONG(canary2, 0x2222);
}

__attribute__((noinline)) static void park_in_readv(void)
{
    char a[100], b[300];
    struct iovec iov[2] = {{a, sizeof a}, {b, sizeof b}};
    prepare();
    size_t got = 0;
    while (got < 400) {
        ssize_t r = readv(sfd[0], iov, 2);
        E2E_CHECK(r > 0);
        got += (size_t)r;
        if (got < 400) { /* rare: came in pieces; the rest goes after it */
            size_t skip = got;
            iov[0].iov_base = a + (skip < 100 ? skip : 100);
            iov[0].iov_len = skip < 100 ? 100 - skip : 0;
            iov[1].iov_base = b + (skip > 100 ? skip - 100 : 0);
            iov[1].iov_len = skip > 100 ? 400 - skip : 300;
        }
    }
    CHECK_FILL(a, sizeof a, 2);
    CHECK_FILL(b, sizeof b, 2 + 300);
}

__attribute__((noinline)) static void park_in_recvfrom(void)
{
    char buf[200];
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    memset(&from, 0, sizeof from);
    prepare();
    E2E_EQ_LONG(recvfrom(ufd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen), 123);
    CHECK_FILL(buf, 123, 3);
    E2E_EQ_LONG(flen, sizeof from);
    E2E_EQ_LONG(from.sin_family, AF_INET);
    E2E_EQ_LONG(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
}

__attribute__((noinline)) static void park_in_poll(void)
{
    struct pollfd p[2] = {{.fd = -1}, {.fd = sfd[0], .events = POLLIN}};
    prepare();
    E2E_EQ_LONG(poll(p, 2, -1), 1);
    E2E_EQ_LONG(p[1].revents, POLLIN);
    char c;
    E2E_EQ_LONG(read(sfd[0], &c, 1), 1);
}

__attribute__((noinline)) static void park_in_nanosleep(void)
{
    struct timespec req = {0, 20 * 1000000}, rem = {5, 5};
    prepare();
    E2E_EQ_LONG(nanosleep(&req, &rem), 0);
    E2E_EQ_LONG(req.tv_nsec, 20 * 1000000);
    E2E_EQ_LONG(rem.tv_sec, 5);
}

__attribute__((noinline)) static void park_in_gs_read(void)
{
    char buf[333];
    prepare();
    E2E_EQ_LONG(gs_read(sfd[0], buf, sizeof buf, GS_FOREVER), sizeof buf);
    CHECK_FILL(buf, sizeof buf, 4);
}

__attribute__((noinline)) static void park_in_gs_recv(void)
{
    char buf[64];
    prepare();
    E2E_EQ_LONG(gs_recv(sfd[0], buf, sizeof buf, MSG_WAITALL, GS_FOREVER), sizeof buf);
    CHECK_FILL(buf, sizeof buf, 5);
}

static void (*const calls[])(void) = {park_in_read,      park_in_readv,   park_in_recvfrom,
                                       park_in_poll,      park_in_nanosleep, park_in_gs_read,
                                       park_in_gs_recv};
#define NCALLS (sizeof calls / sizeof calls[0])

static void *mover(void *arg)
{
    (void)arg;
    for (size_t i = 0; i < NCALLS; i++) {
        calls[i]();
        calls_done++;
    }
    return NULL;
}

static void send_for(size_t k)
{
    char buf[700];
    switch (k) {
    case 0: FILL(buf, 700, 1); E2E_EQ_LONG(write(sfd[1], buf, 700), 700); break;
    case 1: {
        FILL(buf, 400, 2);
        E2E_EQ_LONG(write(sfd[1], buf, 400), 400);
        break;
    }
    case 2:
        FILL(buf, 123, 3);
        E2E_EQ_LONG(sendto(usrc, buf, 123, 0, (struct sockaddr *)&uaddr, sizeof uaddr), 123);
        break;
    case 3: E2E_EQ_LONG(write(sfd[1], "p", 1), 1); break;
    case 4: break; /* the sleep ends by itself */
    case 5: FILL(buf, 333, 4); E2E_EQ_LONG(write(sfd[1], buf, 333), 333); break;
    case 6:
        FILL(buf, 64, 5);
        E2E_EQ_LONG(write(sfd[1], buf, 30), 30); /* MSG_WAITALL: it waits for the rest */
        gs_sleep(2000000);
        E2E_EQ_LONG(write(sfd[1], buf + 30, 34), 34);
        break;
    }
}

int main(void)
{
    uint64_t shrinks_parked = 0;
    struct e2e_cfg m = e2e_cfg();
    depth = m.forced ? DEEP_FORCED : DEEP;
    int shrinking = m.contiguous && !m.forced && m.c.shrink;
    E2E_EQ_LONG(socketpair(AF_UNIX, SOCK_STREAM, 0, sfd), 0);
    ufd = socket(AF_INET, SOCK_DGRAM, 0);
    usrc = socket(AF_INET, SOCK_DGRAM, 0);
    uaddr = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof uaddr;
    E2E_EQ_LONG(bind(ufd, (struct sockaddr *)&uaddr, sizeof uaddr), 0);
    E2E_EQ_LONG(getsockname(ufd, (struct sockaddr *)&uaddr, &alen), 0);
    parked_ch = gs_chan_create(sizeof(int), 0);
    gs_handle h = gs_spawn(mover, NULL);
    for (size_t k = 0; k < NCALLS; k++) {
        int v;
        E2E_EQ_LONG(gs_chan_recv(parked_ch, &v, GS_FOREVER), 0);
        struct gs_stats before = e2e_stats();
        /* The mover is suspended in its last yield: let it reach its call and
         * park; the scheduler then shrinks or moves its stack. */
        for (int i = 0; i < 3; i++)
            gs_yield();
        struct gs_stats d = e2e_stats_since(&before);
        /* The shrink policy (protocol.md 5.4a) shrinks a stack whose recent
         * runs stayed shallow: the first park after the deep start shrinks;
         * later ones may not, since every call here runs deep again. */
        if (shrinking && k == 0)
            E2E_CHECK_MSG(d.shrinks >= 1, "call %zu: no shrink while parked", k);
        shrinks_parked += d.shrinks;
        if (m.forced)
            E2E_CHECK_MSG(d.moves >= 1, "call %zu: no move while parked", k);
        if (!m.contiguous)
            E2E_EQ_LONG(d.shrinks + d.moves, 0);
        E2E_EQ_LONG(d.unknown_frames, 0);
        E2E_EQ_LONG(d.pins, 0);
        send_for(k);
    }
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    E2E_EQ_LONG(calls_done, NCALLS);
    if (!m.contiguous)
        E2E_EQ_LONG(shrinks_parked, 0);
    return e2e_done("io_stack_moves");
}
