/* signal_interrupts - a signal handler interrupts the C library's blocking
 * calls that transparent mode parks (docs/netpoll.md, "EINTR"; runtime/wait.h,
 * "Signals") as the kernel interrupts them in a program without growstack:
 *  - sleep, usleep, nanosleep, clock_nanosleep and poll end at the first
 *    handler, SA_RESTART or not (the kernel never restarts them): sleep returns
 *    the whole seconds not slept, nanosleep -1/EINTR and the time left;
 *  - read, write, accept, connect end with EINTR at a handler installed without
 *    SA_RESTART; with SA_RESTART they go on waiting; a write interrupted after
 *    part of its data went returns that part;
 *  - a call that only a signal can end (a sleep with no end, poll on no
 *    descriptor) waits for it, also when no other coroutine or descriptor is
 *    left to wait for;
 *  - a handler interrupts every coroutine parked in such a call on its thread,
 *    also when it arrives while another coroutine runs, and no call that began
 *    after it; the runtime's own calls (gs_sleep) only gs_cancel ends.
 * The stack: gnulib's configure test of sleep() (alarm(1), then sleep for 50
 * days) ran forever in a gscc-built program, since the parked sleep ignored
 * the signal. Every case is an interval timer in this process; nothing waits
 * long when the calls behave (a case that would hang fails at the test's
 * timeout). */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <arpa/inet.h>
#include <growstack.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#define MS 1000000LL

static volatile sig_atomic_t caught;
static volatile sig_atomic_t write_on; /* the handler writes a byte to this pipe at that count */
static int pipe_w = -1;

static void on_alarm(int sig)
{
    (void)sig;
    caught++;
    if (write_on && caught == write_on) {
        struct itimerval off = {{0, 0}, {0, 0}};
        setitimer(ITIMER_REAL, &off, NULL);
        int e = errno;
        E2E_CHECK(write(pipe_w, "x", 1) == 1);
        errno = e;
    }
}

/* SIGALRM's handler, with or without SA_RESTART; the timer fires after ms
 * milliseconds, then every ms milliseconds when `every`. */
static void arm(int restart, long ms, int every)
{
    e2e_handle(SIGALRM, on_alarm, restart ? SA_RESTART : 0);
    caught = 0;
    struct itimerval it = {{0, every ? ms * 1000 : 0}, {0, ms * 1000}};
    E2E_EQ_LONG(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static void disarm(void)
{
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    write_on = 0;
}

static gs_time since(gs_time t0)
{
    return gs_now() - t0;
}

/* The sleeps: ended by any handler. */
static void sleeps(int restart)
{
    gs_time t0 = gs_now();
    arm(restart, 50, 0);
    unsigned left = sleep(30);
    disarm();
    E2E_EQ_LONG(caught, 1);
    E2E_CHECK_MSG(left >= 25 && left <= 29, "sleep(30) returned %u", left);
    E2E_CHECK(since(t0) < 5000 * MS);

    struct timespec req = {30, 0}, rem = {0, 0};
    arm(restart, 50, 0);
    errno = 0;
    E2E_EQ_LONG(nanosleep(&req, &rem), -1);
    E2E_EQ_LONG(errno, EINTR);
    disarm();
    E2E_CHECK_MSG(rem.tv_sec >= 25 && rem.tv_sec <= 29, "nanosleep rem %ld s", (long)rem.tv_sec);

    arm(restart, 50, 0);
    rem.tv_sec = 0;
    E2E_EQ_LONG(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem), EINTR);
    disarm();
    E2E_CHECK(rem.tv_sec >= 25 && rem.tv_sec <= 29);

    arm(restart, 50, 0);
    errno = 0;
    E2E_EQ_LONG(usleep(20 * 1000 * 1000), -1);
    E2E_EQ_LONG(errno, EINTR);
    disarm();
    E2E_EQ_LONG(caught, 1);

    int p[2];
    E2E_EQ_LONG(pipe(p), 0);
    struct pollfd pf = {.fd = p[0], .events = POLLIN};
    arm(restart, 50, 0);
    errno = 0;
    E2E_EQ_LONG(poll(&pf, 1, -1), -1);
    E2E_EQ_LONG(errno, EINTR);
    disarm();
    close(p[0]);
    close(p[1]);
    E2E_CHECK(since(t0) < 10000 * MS);
}

/* Calls that only a signal ends, with nothing else to wait for: the thread
 * waits for the signal (these were reported as a deadlock of every coroutine
 * and aborted: gnulib's configure test of nanosleep). */
static void forever(void)
{
    struct timespec req = {(time_t)0x7fffffffffffffffLL, 999999999}, rem = {0, 0};
    arm(1, 50, 0);
    errno = 0;
    E2E_EQ_LONG(nanosleep(&req, &rem), -1);
    E2E_EQ_LONG(errno, EINTR);
    disarm();
    E2E_CHECK_MSG(rem.tv_sec > 1000000000L, "rem %lld s", (long long)rem.tv_sec);

    arm(1, 50, 0);
    errno = 0;
    E2E_EQ_LONG(poll(NULL, 0, -1), -1);
    E2E_EQ_LONG(errno, EINTR);
    disarm();

    arm(1, 50, 0);
    unsigned left = sleep(UINT_MAX);
    disarm();
    E2E_CHECK_MSG(left >= UINT_MAX - 5, "sleep(UINT_MAX) returned %u", left);
    E2E_EQ_LONG(caught, 1);
}

/* Reads and writes: ended by a handler without SA_RESTART, restarted by one
 * with it. */
static void transfers(void)
{
    int p[2];
    char buf[16];
    E2E_EQ_LONG(pipe(p), 0);
    pipe_w = p[1];

    arm(0, 50, 0);
    errno = 0;
    E2E_EQ_LONG(read(p[0], buf, sizeof buf), -1);
    E2E_EQ_LONG(errno, EINTR);
    disarm();

    /* SA_RESTART: the first signal does not end the read, the second writes
     * the byte it returns. */
    write_on = 2;
    arm(1, 50, 1);
    E2E_EQ_LONG(read(p[0], buf, sizeof buf), 1);
    E2E_EQ_LONG(buf[0], 'x');
    disarm();
    E2E_EQ_LONG(caught, 2);

    /* A write that fills the pipe and waits: interrupted after part of its
     * data went, it returns that part. */
    long cap = fcntl(p[1], F_GETPIPE_SZ);
    E2E_CHECK(cap > 0);
    size_t big = (size_t)cap * 8;
    char *data = calloc(1, big);
    E2E_CHECK(data != NULL);
    arm(0, 50, 0);
    ssize_t w = write(p[1], data, big);
    disarm();
    E2E_EQ_LONG(w, cap);
    /* With SA_RESTART too: the part that went (the kernel restarts only a
     * call that moved nothing). */
    E2E_CHECK(read(p[0], data, big) == cap); /* empty the pipe */
    arm(1, 50, 0);
    w = write(p[1], data, big);
    disarm();
    E2E_EQ_LONG(w, cap);
    E2E_EQ_LONG(caught, 1);
    /* The same with nothing sent yet: -1/EINTR. */
    arm(0, 50, 0);
    errno = 0;
    E2E_EQ_LONG(write(p[1], data, big), -1);
    E2E_EQ_LONG(errno, EINTR);
    disarm();
    free(data);
    close(p[0]);
    close(p[1]);
}

static struct sockaddr_in listen_addr;

static void *connect_later(void *arg)
{
    (void)arg;
    struct timespec d = {0, 200 * MS};
    nanosleep(&d, NULL);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    E2E_CHECK(s >= 0);
    E2E_EQ_LONG(connect(s, (struct sockaddr *)&listen_addr, sizeof listen_addr), 0);
    return (void *)(long)s;
}

static void accepts(void)
{
    int l = e2e_listen_loopback(4, &listen_addr);

    arm(0, 50, 0);
    errno = 0;
    E2E_EQ_LONG(accept(l, NULL, NULL), -1);
    E2E_EQ_LONG(errno, EINTR);
    disarm();

    /* SA_RESTART: accept goes on waiting through the signal (at 50 ms) until a
     * thread connects (at 200 ms). */
    pthread_t th;
    E2E_EQ_LONG(pthread_create(&th, NULL, connect_later, NULL), 0);
    arm(1, 50, 0);
    int c = accept(l, NULL, NULL);
    E2E_CHECK_MSG(c >= 0, "accept: %s", strerror(errno));
    E2E_EQ_LONG(caught, 1);
    disarm();
    void *s;
    E2E_EQ_LONG(pthread_join(th, &s), 0);
    close((int)(long)s);
    close(c);
    close(l);
}

/* Several coroutines parked: a handler ends the calls of all of them. */
static int cpipe[2];
static int rc_sleep, rc_read, err_read;

static void *co_sleep(void *arg)
{
    (void)arg;
    rc_sleep = (int)sleep(30);
    return NULL;
}

static void *co_read(void *arg)
{
    (void)arg;
    char b;
    errno = 0;
    rc_read = (int)read(cpipe[0], &b, 1);
    err_read = errno;
    return NULL;
}

static void *co_spin(void *arg)
{
    (void)arg;
    /* Runs (the others parked) until the signal has come: it arrives while
     * this coroutine runs, not while the thread waits. */
    gs_time t0 = gs_now();
    while (!caught && since(t0) < 10000 * MS)
        ;
    E2E_EQ_LONG(caught, 1);
    /* A call that begins after the handler ran is not interrupted by it. */
    E2E_EQ_LONG(usleep(100 * 1000), 0);
    return NULL;
}

static void coroutines(void)
{
    E2E_EQ_LONG(pipe(cpipe), 0);
    for (int spin = 0; spin < 2; spin++) {
        rc_sleep = rc_read = err_read = -2;
        arm(0, 50, 0);
        gs_handle a = gs_spawn(co_sleep, NULL), b = gs_spawn(co_read, NULL);
        gs_handle c = spin ? gs_spawn(co_spin, NULL) : 0;
        E2E_EQ_LONG(gs_join(a, NULL), 0);
        E2E_EQ_LONG(gs_join(b, NULL), 0);
        if (spin)
            E2E_EQ_LONG(gs_join(c, NULL), 0);
        disarm();
        E2E_CHECK_MSG(rc_sleep >= 25 && rc_sleep <= 29, "sleep(30) returned %d", rc_sleep);
        E2E_EQ_LONG(rc_read, -1);
        E2E_EQ_LONG(err_read, EINTR);
    }
    close(cpipe[0]);
    close(cpipe[1]);
}

/* The runtime's own calls are not the C library's: a signal does not end
 * them. */
static void explicit_calls(void)
{
    gs_time t0 = gs_now();
    arm(0, 50, 0);
    E2E_EQ_LONG(gs_sleep(300 * MS), 0);
    disarm();
    E2E_EQ_LONG(caught, 1);
    E2E_CHECK(since(t0) >= 300 * MS);
}

static void all(void *arg)
{
    (void)arg;
    sleeps(0);
    sleeps(1);
    forever();
    transfers();
    accepts();
    coroutines();
    explicit_calls();
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    all(NULL);
    /* The same at depth, where a stack has grown (moved, chained). */
    e2e_descend(2000, all, NULL);
    return e2e_done("signal_interrupts");
}
