/* overflow_anywhere - a stack overflow anywhere ends in one "growstack:" line
 * that says which stack (which coroutine, or the system stack of which thread,
 * or the signal stack) and the limit that applied; never a bare SIGSEGV
 * (runtime/overflow.c). And a fault that is not an overflow is not claimed.
 *
 * Each case runs in a child process (this program with an argument) with a
 * stack limit of 8 MiB (ulimit -s: the main thread's stack; the CI machine may
 * have none), and its status and stderr are matched:
 *
 *   callback        a qsort comparator (instrumented, on the system stack)
 *                   recursing without end
 *   uninstrumented  plain C code called from main's coroutine, recursing
 *   thread          the same from a thread's coroutine: that thread's own stack
 *                   (1 MiB, pthread_attr_setstacksize)
 *   opted-out-thread  a GS_NOSPLIT start routine (not on a coroutine) recursing
 *                   through instrumented code on its own stack
 *   signal          a signal handler recursing: the signal stack
 *   null            a NULL write: not an overflow, a plain SIGSEGV
 *   wild            a write just below a thread's stack from a shallow frame:
 *                   not an overflow either */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <growstack.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <sys/resource.h>

long plain_recurse(long depth);

static volatile long stop_at = -1;

__attribute__((noinline)) static long deep(long d)
{
    volatile char pad[200];
    pad[d % 200] = (char)d;
    if (d == stop_at)
        return 0;
    return deep(d + 1) + pad[d % 200];
}

static int cmp_deep(const void *a, const void *b)
{
    deep(0);
    return *(const int *)a - *(const int *)b;
}

static void on_usr1(int sig)
{
    (void)sig;
    deep(0);
}

static void *thread_plain(void *arg)
{
    (void)arg;
    return (void *)plain_recurse(0);
}

/* Opted out: the thread runs on its own stack, outside coroutines. */
GS_NOSPLIT static void *thread_opted_out(void *arg)
{
    return (void *)deep((long)(intptr_t)arg);
}

static void *thread_wild(void *arg)
{
    (void)arg;
    pthread_attr_t a;
    void *lo;
    size_t size;
    pthread_getattr_np(pthread_self(), &a);
    pthread_attr_getstack(&a, &lo, &size);
    *(volatile char *)((char *)lo - 64) = 1; /* in the guard page, far from %rsp */
    return NULL;
}

static void run_thread(void *(*fn)(void *), size_t stack)
{
    pthread_attr_t a;
    pthread_attr_init(&a);
    if (stack)
        pthread_attr_setstacksize(&a, stack);
    pthread_t th;
    if (pthread_create(&th, &a, fn, NULL))
        exit(3);
    pthread_join(th, NULL);
}

static int child(const char *what)
{
    if (!strcmp(what, "callback")) {
        int v[4] = {3, 1, 2, 0};
        qsort(v, 4, sizeof v[0], cmp_deep);
    } else if (!strcmp(what, "uninstrumented")) {
        plain_recurse(0);
    } else if (!strcmp(what, "thread")) {
        run_thread(thread_plain, (size_t)1 << 20);
    } else if (!strcmp(what, "opted-out-thread")) {
        run_thread(thread_opted_out, (size_t)1 << 20);
    } else if (!strcmp(what, "signal")) {
        signal(SIGUSR1, on_usr1);
        raise(SIGUSR1);
    } else if (!strcmp(what, "null")) {
        *(volatile int *)(uintptr_t)stop_at = 1; /* stop_at is -1: not mapped either */
        *(volatile int *)0 = 1;
    } else if (!strcmp(what, "wild")) {
        run_thread(thread_wild, 0);
    }
    return 4; /* the case did not crash */
}

static void expect(const char *what, int status, const char *regex)
{
    const char *args[] = {"overflow_anywhere", what, NULL};
    struct e2e_child c;
    e2e_run_self(args, NULL, NULL, &c);
    regex_t re;
    E2E_CHECK(regcomp(&re, regex, REG_EXTENDED | REG_NOSUB | REG_NEWLINE) == 0);
    int matches = regexec(&re, c.err, 0, NULL, 0) == 0;
    regfree(&re);
    /* One line: the report, nothing else. */
    int one_line = status == 134 ? strchr(c.err, '\n') == c.err + c.err_len - 1 : 1;
    E2E_CHECK_MSG(c.status == status && matches && one_line,
                  "case %s: status %d (want %d), stderr:\n%s--- want /%s/", what, c.status,
                  status, c.err, regex);
    e2e_child_free(&c);
}

int main(int argc, char **argv)
{
    if (argc == 2)
        return child(argv[1]);
    /* The children's main stack: 8 MiB, whatever this machine's default. */
    struct rlimit rl = {(rlim_t)8 << 20, (rlim_t)8 << 20};
    struct rlimit old;
    getrlimit(RLIMIT_STACK, &old);
    if (old.rlim_max != RLIM_INFINITY && old.rlim_max < rl.rlim_max)
        rl.rlim_cur = rl.rlim_max = old.rlim_max;
    else
        rl.rlim_max = old.rlim_max;
    E2E_EQ_LONG(setrlimit(RLIMIT_STACK, &rl), 0);

    expect("callback", 134,
           "^growstack: stack overflow on the system stack of thread 0, at deep(\\+0x[0-9a-f]+)?, "
           "inside qsort called from coroutine [0-9]+ \\(main\\): fault at 0x[0-9a-f]+, below "
           "the thread's stack of [0-9]+ bytes, its limit \\(the main thread: ulimit -s\\)$");
    expect("uninstrumented", 134,
           "^growstack: stack overflow on the system stack of thread 0, at "
           "plain_recurse(\\+0x[0-9a-f]+)?, inside plain_recurse called from coroutine [0-9]+ "
           "\\(main\\): .* its limit \\(the main thread: ulimit -s\\)$");
    expect("thread", 134,
           "^growstack: stack overflow on the system stack of thread 1, at "
           "plain_recurse(\\+0x[0-9a-f]+)?, inside plain_recurse called from coroutine [0-9]+ "
           "\\(thread\\): fault at 0x[0-9a-f]+, below the thread's stack of 10[0-9]{5} bytes, "
           "its limit \\(a thread: pthread_attr_setstacksize\\)$");
    expect("opted-out-thread", 134,
           "^growstack: stack overflow on the system stack of thread 1, at deep(\\+0x[0-9a-f]+)?, "
           "outside coroutines: fault at 0x[0-9a-f]+, below the thread's stack of 10[0-9]{5} "
           "bytes, its limit \\(a thread: pthread_attr_setstacksize\\)$");
    expect("signal", 134,
           "^growstack: stack overflow in the signal handler on_usr1 on thread 0 \\(fault at "
           "0x[0-9a-f]+, at deep(\\+0x[0-9a-f]+)?\\): handlers run on the thread's signal stack "
           "of 65536 bytes, its limit$");
    expect("null", 139, "^$");
    expect("wild", 139, "^$");
    return e2e_done("overflow_anywhere");
}
