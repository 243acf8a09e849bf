/* netpoll_fd_takeover - the poller's epoll set lives in the program's
 * descriptor space (runtime/netpoll.h): a program that names its number must
 * get what it would get without growstack, and parked calls must go on
 * working.
 *  - the set is at GS_POLL_FD_MIN (100) or above, out of the small numbers a
 *    shell's "exec 4<file" or a program's dup2(fd, 3) name blindly (bash's
 *    coproc test read EINVAL: its "exec 4<&fd" had replaced the set);
 *  - dup2 onto the set's number and close of it from instrumented code: the
 *    set moves first; the number becomes the program's file, the close fails
 *    with EBADF as for any number the program never opened;
 *  - the same from uninstrumented code (the runtime does not see it): the
 *    next wait finds the number is no longer an epoll set, leaves it to the
 *    program and makes a new set;
 *  - a fork's child does not close the number the program took over;
 *  - first of all, the only coroutine of a thread (main's, before anything is
 *    spawned) makes the plain call: its read waits in the kernel (here for a
 *    thread's write), and no epoll set is made (runtime/io.c, parkable). */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <dirent.h>
#include <growstack.h>
#include <pthread.h>

int takeover_plain_dup2(int from, int to);
int takeover_plain_close(int fd);

static int pp[2];

static void *writer(void *arg)
{
    gs_sleep(20000000); /* 20 ms: the reader parks first */
    E2E_EQ_LONG(write(pp[1], arg, strlen(arg)), (long)strlen(arg));
    return NULL;
}

static void *reader(void *arg)
{
    char b[32] = {0};
    ssize_t r = read(pp[0], b, sizeof b - 1);
    E2E_CHECK_MSG(r > 0, "read: %zd (%s)", r, strerror(errno));
    E2E_EQ_STR(b, (const char *)arg);
    return NULL;
}

/* A read that parks in the poller, its data written later. */
static void parked_read(const char *what)
{
    gs_handle r = gs_spawn(reader, (void *)what);
    gs_handle w = gs_spawn(writer, (void *)what);
    E2E_EQ_LONG(gs_join(r, NULL), 0);
    E2E_EQ_LONG(gs_join(w, NULL), 0);
}

static void link_of(int fd, char *out, size_t len)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, out, len - 1);
    out[n < 0 ? 0 : n] = 0;
}

/* The one epoll descriptor of the process (-1: none). */
static int epoll_fd(void)
{
    DIR *d = opendir("/proc/self/fd");
    E2E_CHECK(d != NULL);
    int found = -1, n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char l[128];
        link_of(atoi(e->d_name), l, sizeof l);
        if (strcmp(l, "anon_inode:[eventpoll]") == 0)
            found = atoi(e->d_name), n++;
    }
    closedir(d);
    E2E_CHECK_MSG(n <= 1, "%d epoll descriptors", n);
    return found;
}

static void expect_null(int fd)
{
    char l[128];
    link_of(fd, l, sizeof l);
    E2E_EQ_STR(l, "/dev/null");
}

static void *late_writer(void *arg)
{
    usleep(20000);
    E2E_EQ_LONG(write(pp[1], arg, strlen(arg)), (long)strlen(arg));
    return NULL;
}

int main(void)
{
    E2E_EQ_LONG(pipe(pp), 0);

    /* Alone on the thread: the plain read, no epoll set. */
    pthread_t th;
    E2E_EQ_LONG(pthread_create(&th, NULL, late_writer, "alone"), 0);
    char a[16] = {0};
    E2E_EQ_LONG(read(pp[0], a, sizeof a - 1), 5);
    E2E_EQ_STR(a, "alone");
    E2E_EQ_LONG(pthread_join(th, NULL), 0);
    E2E_EQ_LONG(epoll_fd(), -1);

    int null = open("/dev/null", O_RDONLY);
    E2E_CHECK(null >= 0);

    parked_read("first");
    int ep = epoll_fd();
    E2E_CHECK_MSG(ep >= 100, "the epoll set is descriptor %d", ep);

    /* Instrumented dup2 onto it: the number becomes the program's. */
    E2E_EQ_LONG(dup2(null, ep), ep);
    expect_null(ep);
    int ep2 = epoll_fd();
    E2E_CHECK(ep2 >= 0 && ep2 != ep);
    parked_read("after dup2");
    E2E_EQ_LONG(close(ep), 0);

    /* Instrumented close of it: EBADF, as for a number never opened. */
    errno = 0;
    E2E_EQ_LONG(close(ep2), -1);
    E2E_EQ_LONG(errno, EBADF);
    int ep3 = epoll_fd();
    E2E_CHECK(ep3 >= 0);
    parked_read("after close");

    /* dup2 from it: EBADF as well, the set untouched. */
    errno = 0;
    E2E_EQ_LONG(dup2(ep3, 50), -1);
    E2E_EQ_LONG(errno, EBADF);

    /* Uninstrumented dup2 onto it: found at the next wait. */
    E2E_EQ_LONG(takeover_plain_dup2(null, ep3), ep3);
    parked_read("after a plain dup2");
    expect_null(ep3);
    int ep4 = epoll_fd();
    E2E_CHECK(ep4 >= 0 && ep4 != ep3);
    E2E_EQ_LONG(close(ep3), 0);

    /* Uninstrumented close of it. */
    E2E_EQ_LONG(takeover_plain_close(ep4), 0);
    parked_read("after a plain close");
    int ep5 = epoll_fd();
    E2E_CHECK(ep5 >= 0);

    /* Taken over unseen, then fork: the child must not close the program's
     * descriptor (it rebuilds its own set). */
    E2E_EQ_LONG(takeover_plain_dup2(null, ep5), ep5);
    fflush(NULL);
    pid_t pid = fork();
    E2E_CHECK(pid >= 0);
    if (pid == 0) {
        char l[128];
        link_of(ep5, l, sizeof l);
        _exit(strcmp(l, "/dev/null") == 0 ? 0 : 3);
    }
    int st;
    E2E_EQ_LONG(waitpid(pid, &st, 0), pid);
    E2E_CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
    expect_null(ep5);
    parked_read("after fork");
    return e2e_done("netpoll_fd_takeover");
}
