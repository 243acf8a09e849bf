/* io_kinds - transparent mode on every kind of descriptor, keeping the C
 * library's semantics (docs/netpoll.md, "Transparent mode"):
 *  - pipes park (a 1 MiB write to a pipe returns 1 MiB, as a blocking write
 *    does), and so do poll(), readv/writev, sendmsg/recvmsg, sendto/recvfrom
 *    (datagram boundaries kept), recv with MSG_WAITALL;
 *  - descriptors the program made non-blocking keep returning EAGAIN, and a
 *    call with MSG_DONTWAIT does not park;
 *  - the runtime never changes a descriptor's O_NONBLOCK flag (pipes shared
 *    with a child process: `cat` in a pipeline);
 *  - regular files and /dev/null behave as without growstack (full reads);
 *  - errno is untouched by a call that parked and then succeeded, whatever
 *    other coroutines did to it meanwhile;
 *  - calls made outside coroutines (a constructor, before main) and with
 *    GROWSTACK_NETPOLL=0 block as usual (checked with a child). */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <arpa/inet.h>
#include <growstack.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define MS 1000000LL

static int later_fd;
static const char *later_data;
static gs_time later_ns;

/* Writes later_data to later_fd after later_ns, then messes with errno. */
static void *write_later(void *arg)
{
    (void)arg;
    gs_sleep(later_ns);
    size_t n = strlen(later_data);
    E2E_EQ_LONG(write(later_fd, later_data, n), (long)n);
    errno = EMFILE; /* another coroutine's errno must not leak */
    return NULL;
}

static gs_handle later(int fd, const char *data, gs_time ns)
{
    later_fd = fd;
    later_data = data;
    later_ns = ns;
    return gs_spawn(write_later, NULL);
}

/* ---- pipes ---------------------------------------------------------------------- */

#define PIPE_BIG (1 << 20)
static int pfd[2];
static char *pbig;

static void *pipe_writer(void *arg)
{
    (void)arg;
    E2E_EQ_LONG(write(pfd[1], pbig, PIPE_BIG), PIPE_BIG);
    E2E_EQ_LONG(close(pfd[1]), 0);
    return NULL;
}

static void pipes(void)
{
    E2E_EQ_LONG(pipe(pfd), 0);
    int fl0 = fcntl(pfd[0], F_GETFL), fl1 = fcntl(pfd[1], F_GETFL);
    pbig = malloc(PIPE_BIG);
    for (int i = 0; i < PIPE_BIG; i++)
        pbig[i] = (char)(i * 13 + (i >> 12));
    gs_handle w = gs_spawn(pipe_writer, NULL);
    char *in = malloc(PIPE_BIG);
    size_t got = 0;
    for (;;) {
        E2E_EQ_LONG(fcntl(pfd[0], F_GETFL), fl0); /* never changed */
        ssize_t r = read(pfd[0], in + got, PIPE_BIG - got + 1);
        E2E_CHECK(r >= 0);
        if (r == 0)
            break;
        got += (size_t)r;
    }
    E2E_EQ_LONG(got, PIPE_BIG);
    E2E_CHECK(memcmp(in, pbig, PIPE_BIG) == 0);
    E2E_EQ_LONG(gs_join(w, NULL), 0);
    E2E_EQ_LONG(fl1 & O_NONBLOCK, 0);
    close(pfd[0]);
    free(in);

    /* errno across a park: set before, read after a successful read. */
    E2E_EQ_LONG(pipe(pfd), 0);
    gs_handle h = later(pfd[1], "xyz", 2 * MS);
    char b[8];
    errno = 4242;
    E2E_EQ_LONG(read(pfd[0], b, sizeof b), 3);
    E2E_EQ_LONG(errno, 4242);
    E2E_EQ_LONG(gs_join(h, NULL), 0);

    /* poll: waits, reports, times out. */
    struct pollfd p[3] = {{.fd = -1, .events = POLLIN}, {.fd = pfd[0], .events = POLLIN}};
    h = later(pfd[1], "ab", 2 * MS);
    E2E_EQ_LONG(poll(p, 2, -1), 1);
    E2E_EQ_LONG(p[1].revents, POLLIN);
    E2E_EQ_LONG(p[0].revents, 0);
    E2E_EQ_LONG(read(pfd[0], b, sizeof b), 2);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    gs_time t0 = gs_now();
    E2E_EQ_LONG(poll(p, 2, 5), 0);
    E2E_CHECK(gs_now() - t0 >= 5 * MS);
    E2E_EQ_LONG(poll(p, 2, 0), 0);
    p[2] = (struct pollfd){.fd = pfd[1], .events = POLLOUT};
    E2E_EQ_LONG(poll(p, 3, -1), 1); /* room in the pipe */
    E2E_EQ_LONG(p[2].revents, POLLOUT);

    /* A pipe the program made non-blocking: EAGAIN, not a park. */
    E2E_EQ_LONG(fcntl(pfd[0], F_SETFL, O_NONBLOCK), 0);
    errno = 0;
    E2E_EQ_LONG(read(pfd[0], b, sizeof b), -1);
    E2E_EQ_LONG(errno, EAGAIN);
    E2E_EQ_LONG(fcntl(pfd[1], F_SETFL, O_NONBLOCK), 0);
    ssize_t total = 0, r;
    while ((r = write(pfd[1], pbig, 4096)) > 0)
        total += r;
    E2E_EQ_LONG(r, -1);
    E2E_EQ_LONG(errno, EAGAIN);
    E2E_CHECK(total > 0);
    close(pfd[0]);
    close(pfd[1]);
}

/* ---- a pipeline with a child process ---------------------------------------------- */

static int to_cat, from_cat;
#define CAT_BYTES (300 * 1000)

static void *feed_cat(void *arg)
{
    (void)arg;
    E2E_EQ_LONG(write(to_cat, pbig, CAT_BYTES), CAT_BYTES);
    close(to_cat);
    return NULL;
}

static void pipeline_child(void)
{
    int in[2], out[2];
    E2E_EQ_LONG(pipe(in), 0);
    E2E_EQ_LONG(pipe(out), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    char *argv[] = {"cat", NULL};
    pid_t pid;
    E2E_EQ_LONG(posix_spawnp(&pid, "cat", &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    to_cat = in[1];
    from_cat = out[0];
    int fl_in = fcntl(to_cat, F_GETFL), fl_out = fcntl(from_cat, F_GETFL);
    gs_handle f = gs_spawn(feed_cat, NULL);
    char *got = malloc(CAT_BYTES + 1);
    size_t n = 0;
    for (;;) {
        ssize_t r = read(from_cat, got + n, CAT_BYTES + 1 - n);
        E2E_CHECK(r >= 0);
        if (r == 0)
            break;
        n += (size_t)r;
        E2E_EQ_LONG(fcntl(from_cat, F_GETFL), fl_out);
    }
    E2E_EQ_LONG(n, CAT_BYTES);
    E2E_CHECK(memcmp(got, pbig, CAT_BYTES) == 0);
    E2E_EQ_LONG(gs_join(f, NULL), 0);
    E2E_EQ_LONG(fl_in & O_NONBLOCK, 0);
    E2E_EQ_LONG(fl_out & O_NONBLOCK, 0);
    int st;
    E2E_EQ_LONG(waitpid(pid, &st, 0), pid);
    E2E_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(from_cat);
    free(got);
}

/* ---- sockets: vectors, messages, datagrams, flags --------------------------------------- */

static int sp[2];
static struct iovec wv[3];

static void *writev_side(void *arg)
{
    (void)arg;
    E2E_EQ_LONG(writev(sp[1], wv, 3), 3 * 200000);
    return NULL;
}

static void sockets(void)
{
    E2E_EQ_LONG(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
    /* writev far beyond the buffer: partial writes continue where they stopped. */
    for (int i = 0; i < 3; i++) {
        wv[i].iov_base = pbig + i * 200000 + i;
        wv[i].iov_len = 200000;
    }
    gs_handle h = gs_spawn(writev_side, NULL);
    char *in = malloc(600000);
    struct iovec rv[2] = {{in, 100}, {in + 100, 600000 - 100}};
    size_t got = 0;
    while (got < 600000) {
        struct iovec v[2];
        int n = 0;
        size_t skip = got;
        for (int i = 0; i < 2; i++) {
            if (skip >= rv[i].iov_len) {
                skip -= rv[i].iov_len;
                continue;
            }
            v[n].iov_base = (char *)rv[i].iov_base + skip;
            v[n++].iov_len = rv[i].iov_len - skip;
            skip = 0;
        }
        ssize_t r = readv(sp[0], v, n);
        E2E_CHECK(r > 0);
        got += (size_t)r;
    }
    for (int i = 0; i < 3; i++)
        E2E_CHECK(memcmp(in + i * 200000, pbig + i * 200000 + i, 200000) == 0);
    E2E_EQ_LONG(gs_join(h, NULL), 0);

    /* recv with MSG_WAITALL: all of it, even when it comes in pieces. */
    h = later(sp[1], "0123456789", 2 * MS);
    E2E_EQ_LONG(recv(sp[0], in, 10, MSG_WAITALL), 10);
    E2E_CHECK(memcmp(in, "0123456789", 10) == 0);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    /* MSG_DONTWAIT: the program asked not to wait. */
    errno = 0;
    E2E_EQ_LONG(recv(sp[0], in, 10, MSG_DONTWAIT), -1);
    E2E_EQ_LONG(errno, EAGAIN);
    /* sendmsg/recvmsg. */
    h = later(sp[1], "hello-msg", 2 * MS);
    struct iovec mv = {in, 100};
    struct msghdr mh = {.msg_iov = &mv, .msg_iovlen = 1};
    E2E_EQ_LONG(recvmsg(sp[0], &mh, 0), 9);
    E2E_CHECK(memcmp(in, "hello-msg", 9) == 0);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    close(sp[0]);
    close(sp[1]);

    /* Datagrams: one recvfrom, one datagram, and the sender's address. */
    int u = socket(AF_INET, SOCK_DGRAM, 0), v = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    E2E_EQ_LONG(bind(u, (struct sockaddr *)&a, sizeof a), 0);
    E2E_EQ_LONG(getsockname(u, (struct sockaddr *)&a, &alen), 0);
    E2E_EQ_LONG(sendto(v, "one", 3, 0, (struct sockaddr *)&a, sizeof a), 3);
    E2E_EQ_LONG(sendto(v, "two!", 4, 0, (struct sockaddr *)&a, sizeof a), 4);
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    E2E_EQ_LONG(recvfrom(u, in, 100, 0, (struct sockaddr *)&from, &flen), 3);
    E2E_EQ_LONG(flen, sizeof from);
    E2E_EQ_LONG(from.sin_family, AF_INET);
    E2E_EQ_LONG(recvfrom(u, in, 100, MSG_WAITALL, NULL, NULL), 4); /* no effect on datagrams */
    E2E_CHECK(memcmp(in, "two!", 4) == 0);
    close(u);
    close(v);
    free(in);
}

/* ---- regular files and devices -------------------------------------------------------- */

static void files(void)
{
    char path[] = "/tmp/gs_io_kinds_XXXXXX";
    int fd = mkstemp(path);
    E2E_CHECK(fd >= 0);
    unlink(path);
    E2E_EQ_LONG(write(fd, pbig, PIPE_BIG), PIPE_BIG);
    E2E_EQ_LONG(lseek(fd, 0, SEEK_SET), 0);
    char *in = malloc(PIPE_BIG);
    E2E_EQ_LONG(read(fd, in, PIPE_BIG), PIPE_BIG); /* a regular file: all of it */
    E2E_CHECK(memcmp(in, pbig, PIPE_BIG) == 0);
    E2E_EQ_LONG(read(fd, in, 10), 0);
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT};
    E2E_EQ_LONG(poll(&p, 1, -1), 1); /* always ready */
    close(fd);
    int dn = open("/dev/null", O_RDWR);
    E2E_EQ_LONG(read(dn, in, 10), 0);
    E2E_EQ_LONG(write(dn, in, 10), 10);
    close(dn);
    free(in);
}

/* ---- outside coroutines, and with transparent mode off ------------------------------------ */

/* A constructor runs before main's coroutine exists: its read of a pipe that
 * has data is a plain call. */
static int ctor_read;
__attribute__((constructor)) static void before_main(void)
{
    int p[2];
    if (pipe(p) == 0 && write(p[1], "c", 1) == 1) {
        char c;
        ctor_read = read(p[0], &c, 1) == 1 && c == 'c';
        close(p[0]);
        close(p[1]);
    }
}

/* Child mode "blocking": with GROWSTACK_NETPOLL=0 a read blocks the thread:
 * the coroutine that would write never runs before the read's alarm. */
static void child_blocking(void)
{
    int p[2];
    if (pipe(p))
        exit(3);
    later(p[1], "x", 0);
    alarm(1); /* the read blocks the thread: SIGALRM ends the process */
    char c;
    ssize_t r = read(p[0], &c, 1);
    printf("read returned %zd\n", r);
    exit(0);
}

static void netpoll_off(void)
{
    const char *argv[] = {"io_kinds", "blocking", NULL};
    const char *off[] = {"GROWSTACK_NETPOLL=0", NULL};
    struct e2e_child c;
    e2e_run_self(argv, off, "", &c);
    E2E_EQ_LONG(c.status, 128 + SIGALRM);
    const char *on[] = {"GROWSTACK_NETPOLL=1", NULL};
    e2e_run_self(argv, on, "", &c);
    E2E_EQ_LONG(c.status, 0);
    E2E_CHECK(strstr(c.out, "read returned 1") != NULL);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "blocking") == 0)
        child_blocking();
    signal(SIGPIPE, SIG_IGN);
    E2E_EQ_LONG(ctor_read, 1);
    pipes();
    pipeline_child();
    sockets();
    files();
    netpoll_off();
    free(pbig);
    return e2e_done("io_kinds");
}
