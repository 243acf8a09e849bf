/* bad_server.c - a server that breaks the echo protocol on purpose, to show that the load
 * generator catches it (tests/echo/CMakeLists.txt).
 *
 *   bad_server --mute [--max-seconds S]            accept and read, never write anything
 *   bad_server --corrupt OFFSET [--max-seconds S]  echo, but flip the byte at stream offset
 *                                                  OFFSET of every connection
 * Prints the same ready line as the real servers (bench/echo/echo_common.h).
 */
#define _GNU_SOURCE
#include "echo_common.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>

static int mute;
static long corrupt_at = -1;

static void *serve(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char buf[ECHO_BUF_BYTES];
    long pos = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        if (mute)
            continue;
        if (corrupt_at >= pos && corrupt_at < pos + n)
            buf[corrupt_at - pos] ^= 0x5a;
        pos += n;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(fd, buf + off, (size_t)(n - off));
            if (w <= 0)
                goto out;
            off += w;
        }
    }
out:
    close(fd);
    return NULL;
}

int main(int argc, char **argv)
{
    long max_seconds = 60;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--mute"))
            mute = 1;
        else if (!strcmp(argv[i], "--corrupt") && i + 1 < argc)
            corrupt_at = echo_parse_long("bad_server", argv[i], argv[i + 1]), i++;
        else if (!strcmp(argv[i], "--max-seconds") && i + 1 < argc)
            max_seconds = echo_parse_long("bad_server", argv[i], argv[i + 1]), i++;
        else {
            fprintf(stderr, "usage: bad_server --mute|--corrupt OFFSET [--max-seconds S]\n");
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    alarm((unsigned)max_seconds);
    int port;
    int lfd = echo_listen("bad", 0, 0, &port);
    if (lfd < 0)
        return 1;
    echo_print_ready(mute ? "bad-mute" : "bad-corrupt", port, 1000);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            continue;
        pthread_t t;
        if (pthread_create(&t, &attr, serve, (void *)(intptr_t)fd) != 0)
            close(fd);
    }
}
