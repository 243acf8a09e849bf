/* echo_threads.c - thread-per-connection echo server with small stacks: the plain
 * blocking-style server and what it costs today (docs/bench/echo.md).
 *
 *   echo_threads [--port P] [--max-seconds S] [--stack BYTES] [--max-threads N]
 *
 * Each accepted connection gets a detached pthread with a --stack byte stack (default
 * 64 KiB; glibc's own guard page below it) running the same read/write loop a user writes.
 *
 * How many threads the machine allows is the question this anchor answers besides memory,
 * so the default --max-threads is computed from every limit that applies and printed:
 *   kernel.threads-max and kernel.pid_max (system-wide: each thread takes a task and a pid),
 *   vm.max_map_count (each stack is two mappings: the stack and its guard page),
 *   RLIMIT_NPROC, RLIMIT_NOFILE (one socket per thread), and the address space the
 *   stacks reserve against the memory the machine has.
 * The system-wide ones are shared with every other process, so the computed limit leaves
 * ECHO_THREADS_RESERVE tasks and mappings free: exhausting pid_max on a shared machine would
 * make everybody's fork() fail. A connection beyond the limit is closed at once and counted
 * (refused=), never left waiting.
 */
#define _GNU_SOURCE
#include "echo_common.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/signalfd.h>
#include <time.h>

/* Tasks and memory mappings the computed limit leaves to the rest of the machine. */
#define ECHO_THREADS_RESERVE 4096

static atomic_long live, max_live, io_errors;

static long read_long(const char *path)
{
    FILE *f = fopen(path, "re");
    long v = -1;
    if (f) {
        if (fscanf(f, "%ld", &v) != 1)
            v = -1;
        fclose(f);
    }
    return v;
}

/* Tasks (threads) alive on the whole machine: the denominator of /proc/loadavg's 4th field. */
static long tasks_now(void)
{
    FILE *f = fopen("/proc/loadavg", "re");
    long running = 0, total = -1;
    if (f) {
        if (fscanf(f, "%*f %*f %*f %ld/%ld", &running, &total) != 2)
            total = -1;
        fclose(f);
    }
    return total;
}

static long count_lines(const char *path)
{
    FILE *f = fopen(path, "re");
    long n = 0;
    int ch;
    if (!f)
        return 0;
    while ((ch = getc(f)) != EOF)
        n += ch == '\n';
    fclose(f);
    return n;
}

struct limit {
    const char *name;
    long value;
};

/* The smallest of the limits that bound the thread count; fills *which with its name. */
static long thread_limit(size_t stack, long nofile, const char **which)
{
    struct rlimit rl;
    long nproc = getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
                     ? (long)rl.rlim_cur : -1;
    long tasks = tasks_now();
    long tmax = read_long("/proc/sys/kernel/threads-max");
    long pmax = read_long("/proc/sys/kernel/pid_max");
    long maps = read_long("/proc/sys/vm/max_map_count");
    long mem_kib = echo_proc_kib(0, "MemAvailable");
    struct limit l[] = {
        {"kernel.threads-max", tmax > 0 ? tmax - tasks - ECHO_THREADS_RESERVE : -1},
        {"kernel.pid_max", pmax > 0 ? pmax - tasks - ECHO_THREADS_RESERVE : -1},
        {"vm.max_map_count", maps > 0 ? (maps - count_lines("/proc/self/maps") - ECHO_THREADS_RESERVE) / 2 : -1},
        {"RLIMIT_NPROC", nproc > 0 ? nproc - tasks : -1},
        {"RLIMIT_NOFILE", nofile - 16},
        /* Committed stack pages are a fraction of the reservation; half of the available
         * memory in reservations keeps overcommit heuristics and everyone else safe. */
        {"MemAvailable/2/stack", mem_kib > 0 ? (long)((size_t)mem_kib * 512 / stack) : -1},
    };
    long best = -1;
    *which = "none";
    for (size_t i = 0; i < sizeof l / sizeof l[0]; i++) {
        if (l[i].value < 0)
            continue;
        if (best < 0 || l[i].value < best) {
            best = l[i].value;
            *which = l[i].name;
        }
    }
    fprintf(stderr, "echo-threads: limits: tasks now %ld, threads-max %ld, pid_max %ld, "
                    "max_map_count %ld, RLIMIT_NPROC %ld, RLIMIT_NOFILE %ld, MemAvailable %ld KiB "
                    "-> at most %ld threads (bound by %s, %d left to the machine)\n",
            tasks, tmax, pmax, maps, nproc, nofile, mem_kib, best, *which, ECHO_THREADS_RESERVE);
    return best < 0 ? 0 : best;
}

/* The connection's thread: the blocking loop a user writes, buffer on its own stack. */
static void *serve(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char buf[ECHO_BUF_BYTES];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && errno != ECONNRESET)
                atomic_fetch_add(&io_errors, 1);
            break;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(fd, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                if (errno != EPIPE && errno != ECONNRESET)
                    atomic_fetch_add(&io_errors, 1);
                goto done;
            }
            off += w;
        }
    }
done:
    close(fd);
    atomic_fetch_sub(&live, 1);
    return NULL;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
    int port = 0;
    long max_seconds = ECHO_MAX_SECONDS_DEFAULT;
    long stack = 64 * 1024, max_threads = -1;
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i];
        if (i + 1 >= argc)
            goto usage;
        long v = echo_parse_long("echo-threads", a, argv[i + 1]);
        if (!strcmp(a, "--port"))
            port = (int)v;
        else if (!strcmp(a, "--max-seconds"))
            max_seconds = v;
        else if (!strcmp(a, "--stack"))
            stack = v;
        else if (!strcmp(a, "--max-threads"))
            max_threads = v;
        else
            goto usage;
    }
    long hard;
    long nofile = echo_raise_nofile(1L << 20, &hard);

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_attr_setstacksize(&attr, (size_t)stack);
    if (rc != 0) {
        fprintf(stderr, "echo-threads: stack size %ld refused: %s (minimum %ld)\n", stack,
                strerror(rc), sysconf(_SC_THREAD_STACK_MIN));
        return 2;
    }
    const char *which;
    long limit = thread_limit((size_t)stack, nofile, &which);
    if (max_threads < 0 || max_threads > limit)
        max_threads = limit;

    /* SIGTERM/SIGINT are taken by signalfd; every thread inherits the blocked mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    int sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
    int bound;
    int lfd = echo_listen("threads", port, 0, &bound);
    if (lfd < 0 || sfd < 0)
        return 1;
    /* The ready line, with the limit's name appended (run.sh reports it). */
    printf("echo-server ready impl=threads pid=%ld port=%d max_conns=%ld limit_by=%s\n",
           (long)getpid(), bound, max_threads, max_threads == limit ? which : "--max-threads");
    fflush(stdout);

    uint64_t accepted = 0, refused = 0, create_failed = 0;
    const uint64_t deadline = now_ms() + (uint64_t)max_seconds * 1000;
    const char *why = "max-seconds";
    for (;;) {
        uint64_t t = now_ms();
        if (t >= deadline)
            break;
        struct pollfd pf[2] = {{.fd = lfd, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
        int n = poll(pf, 2, (int)(deadline - t < 1000 ? deadline - t : 1000));
        if (n < 0 && errno != EINTR) {
            why = "error";
            break;
        }
        if (pf[1].revents) {
            why = "signal";
            break;
        }
        if (!(pf[0].revents & POLLIN))
            continue;
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN)
                fprintf(stderr, "echo-threads: accept: %s\n", strerror(errno));
            continue;
        }
        accepted++;
        if (atomic_load(&live) >= max_threads) {
            if (refused++ == 0)
                fprintf(stderr, "echo-threads: %ld threads alive, the limit (%s): closing "
                                "further connections\n", max_threads, which);
            close(fd);
            continue;
        }
        long now = atomic_fetch_add(&live, 1) + 1;
        if (now > atomic_load(&max_live))
            atomic_store(&max_live, now);
        pthread_t th;
        rc = pthread_create(&th, &attr, serve, (void *)(intptr_t)fd);
        if (rc != 0) {
            if (create_failed++ == 0)
                fprintf(stderr, "echo-threads: pthread_create at %ld threads: %s\n", now - 1,
                        strerror(rc));
            atomic_fetch_sub(&live, 1);
            close(fd);
        }
    }
    printf("echo-server exit impl=threads reason=%s accepted=%llu refused=%llu "
           "create_failed=%llu max_live=%ld io_errors=%ld stack=%ld max_threads=%ld "
           "limit_by=%s\n",
           why, (unsigned long long)accepted, (unsigned long long)refused,
           (unsigned long long)create_failed, atomic_load(&max_live), atomic_load(&io_errors),
           stack, max_threads, which);
    fflush(stdout);
    (void)hard;
    _exit(0); /* detached threads may still be inside read(): do not run atexit handlers */
usage:
    fprintf(stderr, "usage: echo_threads [--port P] [--max-seconds S] [--stack BYTES] "
                    "[--max-threads N]\n");
    return 2;
}
