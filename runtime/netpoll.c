/* netpoll.c - the per-thread epoll poller (see netpoll.h). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fatal.h"
#include "mem.h"
#include "netpoll.h"

__thread struct gs_poller *gs_poll_tls __attribute__((tls_model("initial-exec")));

#define GS_POLL_EVENTS 128
#define GS_POLL_MASK (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)

static struct gs_pollfd *entry(struct gs_poller *p, int fd, int create)
{
    struct gs_poller *tab = p;
    size_t c = (size_t)fd / GS_POLL_CHUNK;
    if (c >= tab->nchunk) {
        if (!create)
            return NULL;
        size_t n = tab->nchunk ? tab->nchunk : 4;
        while (n <= c)
            n *= 2;
        struct gs_pollfd **v = gs_mem_realloc(tab->chunk, n * sizeof *v);
        if (!v)
            return NULL;
        memset(v + tab->nchunk, 0, (n - tab->nchunk) * sizeof *v);
        tab->chunk = v;
        tab->nchunk = n;
    }
    struct gs_pollfd *ch = tab->chunk[c];
    if (!ch) {
        if (!create)
            return NULL;
        ch = gs_mem_calloc(GS_POLL_CHUNK, sizeof *ch);
        if (!ch)
            return NULL;
        for (int i = 0; i < GS_POLL_CHUNK; i++)
            ch[i].rd.total = ch[i].wr.total = &p->nwait;
        tab->chunk[c] = ch;
    }
    return &ch[(size_t)fd % GS_POLL_CHUNK];
}

static void atfork_child(void);

static void install_atfork(void)
{
    pthread_atfork(NULL, NULL, atfork_child);
}

static struct gs_poller *poller_of(struct gs_thread *t)
{
    if (gs_poll_tls)
        return gs_poll_tls;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install_atfork);
    struct gs_poller *p = gs_mem_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->epfd = -1;
    gs_poll_tls = p;
    return p;
}

/* Whether p->epfd still names the epoll set the runtime made: a program that
 * closes or dup2()s onto that number from code the runtime does not see
 * (uninstrumented code, a raw system call) has taken it over. The check tells
 * an epoll set from anything else (all epoll sets share one inode), which is
 * what the number becomes in practice: a file, a pipe, nothing. */
static int epfd_ours(const struct gs_poller *p)
{
    struct stat st;
    return p->epfd >= 0 && fstat(p->epfd, &st) == 0 && st.st_dev == p->ep_dev &&
           st.st_ino == p->ep_ino;
}

/* Move descriptor fd to a number out of the range programs name blindly (the
 * shell's 3-9, a program's "dup2(fd, 3)"): the lowest free one from
 * GS_POLL_FD_MIN, or with `anywhere` the lowest free one at all if there is
 * none there. Returns the new number (fd closed), or -1 (fd kept). errno is
 * left as it was: the call that waits leaves it alone when it succeeds. */
static int move_fd(int fd, int anywhere)
{
    int e = errno;
    int n = fcntl(fd, F_DUPFD_CLOEXEC, GS_POLL_FD_MIN);
    if (n < 0 && anywhere)
        n = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (n >= 0)
        close(fd);
    errno = e;
    return n;
}

static int epoll_set(struct gs_poller *p)
{
    if (p->epfd < 0) {
        int fd = epoll_create1(EPOLL_CLOEXEC);
        if (fd < 0)
            return errno;
        if (fd < GS_POLL_FD_MIN) {
            int hi = move_fd(fd, 0);
            fd = hi >= 0 ? hi : fd;
        }
        struct stat st;
        if (fstat(fd, &st) != 0)
            gs_fatal("fstat of the thread's new epoll set (descriptor %d) failed: errno %d", fd,
                     errno);
        p->epfd = fd;
        p->ep_dev = st.st_dev;
        p->ep_ino = st.st_ino;
    }
    return 0;
}

static int register_fd(struct gs_poller *p, int fd, struct gs_pollfd *e)
{
    int rc = epoll_set(p);
    if (rc)
        return rc;
    struct epoll_event ev = {.events = GS_POLL_MASK, .data.u64 = (uint64_t)fd};
    if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev) != 0 && errno != EEXIST)
        return errno == ENOENT ? EBADF : errno;
    e->registered = 1;
    return 0;
}

static void wake_queue(struct gs_thread *t, struct gs_wq *q, int status)
{
    struct gs_wnode *n;
    while ((n = q->head) != NULL)
        gs_wait_wake(t, n->w, status, (int)n->index); /* unlinks n */
}

/* A new epoll set with every descriptor that has waiters registered again;
 * the old number is closed only when `close_old` and it is still the
 * runtime's. A descriptor that cannot be registered wakes its waiters with
 * the error. */
static void rebuild(struct gs_thread *t, struct gs_poller *p, int close_old)
{
    if (close_old && epfd_ours(p))
        close(p->epfd);
    p->epfd = -1;
    struct gs_poller *tab = p;
    for (size_t c = 0; c < tab->nchunk; c++) {
        struct gs_pollfd *ch = tab->chunk[c];
        for (int i = 0; ch && i < GS_POLL_CHUNK; i++) {
            ch[i].registered = 0;
            if (!ch[i].rd.head && !ch[i].wr.head)
                continue;
            int fd = (int)(c * GS_POLL_CHUNK) + i;
            int rc = register_fd(p, fd, &ch[i]);
            if (rc) {
                wake_queue(t, &ch[i].rd, rc);
                wake_queue(t, &ch[i].wr, rc);
            }
        }
    }
}

/* An epoll call on p->epfd failed with err: if the number is no longer the
 * runtime's set, leave it to the program, make a new set and return 1 (try
 * again); 0 if the error is the call's own. */
static int lost_set(struct gs_thread *t, struct gs_poller *p, int err)
{
    if ((err != EBADF && err != EINVAL) || epfd_ours(p))
        return 0;
    rebuild(t, p, 0);
    return 1;
}

int gs_poll_add(struct gs_thread *t, int fd, struct gs_wnode *n)
{
    if (fd < 0)
        return EBADF;
    struct gs_poller *p = poller_of(t);
    if (!p)
        return ENOMEM;
    struct gs_pollfd *e = entry(p, fd, 1);
    if (!e)
        return ENOMEM;
    int rc = register_fd(p, fd, e);
    if (rc && lost_set(t, p, rc))
        rc = register_fd(p, fd, e);
    if (rc)
        return rc;
    gs_wait_wq_push(n->op == POLLOUT ? &e->wr : &e->rd, n);
    return 0;
}

void gs_poll_run(struct gs_thread *t, int64_t timeout_ns, const sigset_t *mask)
{
    struct gs_poller *p = gs_poll_tls;
    if (!p || p->epfd < 0) {
        if (timeout_ns > 0) {
            struct timespec ts = {.tv_sec = timeout_ns / 1000000000,
                                  .tv_nsec = timeout_ns % 1000000000};
            ppoll(NULL, 0, &ts, mask);
        }
        return;
    }
    struct epoll_event ev[GS_POLL_EVENTS];
    struct timespec ts, *tsp = NULL;
    if (timeout_ns >= 0) {
        ts.tv_sec = timeout_ns / 1000000000;
        ts.tv_nsec = timeout_ns % 1000000000;
        tsp = &ts;
    }
    /* epoll_pwait2 (Linux 5.11) takes nanoseconds. Where it does not exist
     * (older kernels; valgrind 3.19 does not know the system call) it fails with
     * ENOSYS every time, and retrying would spin forever: fall back to
     * epoll_wait, its timeout rounded up to whole milliseconds (never early). */
    static int no_pwait2;
    int n = -1;
    if (!__atomic_load_n(&no_pwait2, __ATOMIC_RELAXED)) {
        n = epoll_pwait2(p->epfd, ev, GS_POLL_EVENTS, tsp, mask);
        if (n < 0 && errno == ENOSYS)
            __atomic_store_n(&no_pwait2, 1, __ATOMIC_RELAXED);
    }
    if (__atomic_load_n(&no_pwait2, __ATOMIC_RELAXED)) {
        int ms = -1;
        if (timeout_ns >= 0)
            ms = timeout_ns >= (int64_t)INT32_MAX * 1000000 ? INT32_MAX
                                                            : (int)((timeout_ns + 999999) / 1000000);
        n = epoll_pwait(p->epfd, ev, GS_POLL_EVENTS, ms, mask);
    }
    if (n < 0 && lost_set(t, p, errno))
        return; /* a new set: its waiters check again */
    if (n < 0 && errno != EINTR)
        gs_fatal("epoll_wait on the thread's poller (descriptor %d) failed: errno %d", p->epfd,
                 errno);
    for (int i = 0; i < n; i++) {
        uint64_t fd = ev[i].data.u64;
        struct gs_pollfd *e = fd <= INT32_MAX ? entry(p, (int)fd, 0) : NULL;
        if (!e)
            continue;
        uint32_t m = ev[i].events;
        if (m & (EPOLLIN | EPOLLPRI | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
            wake_queue(t, &e->rd, 0);
        if (m & (EPOLLOUT | EPOLLHUP | EPOLLERR))
            wake_queue(t, &e->wr, 0);
    }
}

void gs_poll_forget(struct gs_thread *t, int fd, int err)
{
    struct gs_poller *p = gs_poll_tls;
    if (!p || fd < 0)
        return;
    struct gs_pollfd *e = entry(p, fd, 0);
    if (!e)
        return;
    wake_queue(t, &e->rd, err);
    wake_queue(t, &e->wr, err);
    if (e->registered && p->epfd >= 0)
        epoll_ctl(p->epfd, EPOLL_CTL_DEL, fd, NULL);
    e->registered = 0;
}

static void free_table(struct gs_poller *p)
{
    struct gs_poller *tab = p;
    for (size_t c = 0; c < tab->nchunk; c++)
        gs_mem_free(tab->chunk[c]);
    gs_mem_free(tab->chunk);
    tab->chunk = NULL;
    tab->nchunk = 0;
}

void gs_poll_thread_exit(struct gs_thread *t)
{
    struct gs_poller *p = gs_poll_tls;
    if (!p)
        return;
    if (epfd_ours(p))
        close(p->epfd);
    free_table(p);
    gs_mem_free(p);
    gs_poll_tls = NULL;
}

/* After fork, the child's copy of the epoll descriptor still names the parent's
 * epoll set: events would go to whichever process asks first. The child (only
 * the forking thread exists there) makes a set of its own and registers again
 * every descriptor its coroutines wait on. */
static void atfork_child(void)
{
    struct gs_poller *p = gs_poll_tls;
    if (p && p->epfd >= 0)
        rebuild(&gs_tls, p, 1);
}

void gs_poll_keep_off(int fd)
{
    struct gs_poller *p = gs_poll_tls;
    if (!p || p->epfd < 0 || p->epfd != fd)
        return;
    int n = move_fd(fd, 1);
    if (n < 0) /* no number left: the program's call takes it all the same */
        rebuild(&gs_tls, p, 0);
    else
        p->epfd = n;
}
