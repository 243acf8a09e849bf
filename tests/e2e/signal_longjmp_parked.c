/* signal_longjmp_parked - the classic timeout of a blocking call: sigsetjmp,
 * alarm(), the call, and a SIGALRM handler that siglongjmps back
 * (runtime/wait.h, "Signals"; docs/netpoll.md, "EINTR"). In transparent mode
 * the call parks the coroutine and the thread waits in the scheduler, where
 * the handler used to run and jump from the scheduler's stack into the parked
 * coroutine's: SIGSEGV in every mode. Now the signal is held for the parked
 * call and delivered in it. Checked: the jump lands, at depths where stacks
 * have grown (moved, chained), around read, accept, poll, sleep, nanosleep and
 * a write to a full pipe; afterwards the descriptors work, the stack grows,
 * other coroutines run, no wait is left behind (parked_at_exit's report would
 * name one at exit), and the mask is back (SIGALRM unblocked). A handler that
 * returns still gets EINTR or SA_RESTART's retry (signal_interrupts). */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <arpa/inet.h>
#include <growstack.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

static sigjmp_buf jb;
static volatile sig_atomic_t hits;

static void on_alarm(int sig)
{
    (void)sig;
    hits++;
    siglongjmp(jb, 1);
}

static void on_alarm_return(int sig)
{
    (void)sig;
    hits++;
}

static void arm_ms(long ms)
{
    struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
    E2E_EQ_LONG(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static void disarm(void)
{
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
}

enum { K_READ, K_ACCEPT, K_POLL, K_SLEEP, K_NANOSLEEP, K_WRITE, K_COUNT };
static const char *const kind_name[K_COUNT] = {"read", "accept", "poll", "sleep", "nanosleep",
                                               "write"};
static int rd = -1, wr = -1, lsock = -1;
static char *big;
static size_t big_len;

/* The blocking call of kind k; returns only if it was not interrupted. */
static long blocking_call(int k)
{
    char buf[16];
    struct pollfd pf = {.fd = rd, .events = POLLIN};
    struct timespec ts = {30, 0};
    switch (k) {
    case K_READ: return read(rd, buf, sizeof buf);
    case K_ACCEPT: return accept(lsock, NULL, NULL);
    case K_POLL: return poll(&pf, 1, -1);
    case K_SLEEP: return sleep(30);
    case K_NANOSLEEP: return nanosleep(&ts, NULL);
    case K_WRITE: return write(wr, big, big_len);
    }
    return -3;
}

/* 1 if the call timed out through the handler's siglongjmp. */
static int timed(int k)
{
    volatile int jumped = 0;
    if (sigsetjmp(jb, 1) == 0) {
        arm_ms(30);
        long r = blocking_call(k);
        disarm();
        e2e_fail(__FILE__, __LINE__, "%s returned %ld (errno %d) instead of being left", kind_name[k],
                 r, errno);
    } else {
        jumped = 1;
    }
    return jumped;
}

static long deep_sum(int d)
{
    volatile char pad[256];
    pad[d & 255] = (char)d;
    if (d == 0)
        return 1;
    return deep_sum(d - 1) + (pad[d & 255] == (char)d ? 0 : 1000000);
}

struct round {
    int k;
    int depth;
};

static void one_round(void *arg)
{
    struct round *r = arg;
    long before = hits;
    E2E_CHECK_MSG(timed(r->k), "%s at depth %d", kind_name[r->k], r->depth);
    E2E_EQ_LONG(hits, before + 1);
    /* The stack still grows, and the thread still runs the scheduler. */
    E2E_EQ_LONG(deep_sum(3000), 1);
    E2E_EQ_LONG(usleep(1000), 0);
}

static int ticks;
static void *ticker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++) {
        gs_yield();
        ticks++;
    }
    return NULL;
}

int main(void)
{
    e2e_handle(SIGALRM, on_alarm, 0);
    signal(SIGPIPE, SIG_IGN);

    int p[2], q[2];
    E2E_EQ_LONG(pipe(p), 0);
    rd = p[0];
    E2E_EQ_LONG(pipe(q), 0);
    wr = q[1];
    big_len = (size_t)fcntl(wr, F_GETPIPE_SZ) * 4;
    big = calloc(1, big_len);
    E2E_CHECK(big != NULL);
    lsock = e2e_listen_loopback(4, NULL);

    int depths[] = {0, 40, 700, 3000};
    for (int k = 0; k < K_COUNT; k++) {
        for (size_t d = 0; d < sizeof depths / sizeof depths[0]; d++) {
            struct round r = {k, depths[d]};
            e2e_descend(depths[d], one_round, &r);
        }
        /* With another coroutine alive (it runs between the rounds). */
        gs_handle h = gs_spawn(ticker, NULL);
        struct round r = {k, 100};
        e2e_descend(100, one_round, &r);
        E2E_EQ_LONG(gs_join(h, NULL), 0);
    }
    E2E_EQ_LONG(ticks, 5 * K_COUNT);

    /* The descriptors still work, and SIGALRM is not left blocked. */
    E2E_EQ_LONG(write(p[1], "hello", 5), 5);
    char buf[8];
    E2E_EQ_LONG(read(rd, buf, sizeof buf), 5);
    char drain[4096];
    while (1) {
        struct pollfd pf = {.fd = q[0], .events = POLLIN};
        if (poll(&pf, 1, 0) <= 0)
            break;
        if (read(q[0], drain, sizeof drain) <= 0)
            break;
    }
    E2E_CHECK(write(wr, "x", 1) == 1);
    sigset_t now;
    E2E_EQ_LONG(sigprocmask(SIG_BLOCK, NULL, &now), 0);
    E2E_EQ_LONG(sigismember(&now, SIGALRM), 0);

    /* A handler that returns, after all that: the call ends with EINTR. */
    e2e_handle(SIGALRM, on_alarm_return, 0);
    arm_ms(30);
    errno = 0;
    E2E_EQ_LONG(read(rd, buf, sizeof buf), -1);
    E2E_EQ_LONG(errno, EINTR);
    free(big);
    return e2e_done("signal_longjmp_parked");
}
